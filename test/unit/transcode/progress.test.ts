/**
 * progress.ts, on a fake clock: outputs, masters and bytes count up as jobs finish, the running jobs are named,
 * interrupted outputs are not counted as done, a retag batch has no speed or ETA, a split job's source is done
 * when all its pieces are (the order jobs are handed out is schedule.test.ts's).
 */
import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../../src/transcode/progress.js';
import type { PlannedJob, ProgressEvent } from '../../../src/model.js';
import { FLAC, MP3, output, source } from '../builders.js';

const job = (path: string, duration: number, kind: PlannedJob['kind'] = 'encode'): PlannedJob => ({
  kind,
  source: source({ path, duration }),
  outputs: [output(FLAC), output(MP3)],
  measureLoudness: false,
});

function tracked(jobs: PlannedJob[]) {
  let now = 0;
  const seen: ProgressEvent[] = [];
  const t = new ProgressTracker(
    jobs,
    (p) => seen.push(p),
    () => now,
  );
  return { t, seen, at: (ms: number) => (now = ms), last: () => seen.at(-1)! };
}

describe('ProgressTracker', () => {
  it('outputs, masters and bytes count up; the running jobs are listed with how far they got', () => {
    const { t, at, last } = tracked([job('/m/long.flac', 100), job('/m/short.flac', 10)]);
    t.start(0);
    t.start(1);
    expect(last()).toMatchObject({ phase: 'encode', outputsDone: 0, outputsTotal: 4, sourcesDone: 0, sourcesTotal: 2 });
    expect(last().active.map((a) => a.source)).toEqual(['/m/long.flac', '/m/short.flac']);
    at(1000);
    t.time(1, 5);
    expect(last().active[1]).toMatchObject({ seconds: 5, duration: 10, presets: ['flac', 'mp3-v0'] });
    at(2000);
    t.finished(1, [
      { status: 'ok', size: 1000 },
      { status: 'ok', size: 500 },
    ]);
    expect(last()).toMatchObject({ outputsDone: 2, sourcesDone: 1, bytesWritten: 1500, audioSecondsDone: 10 });
    expect(last().active.map((a) => a.source)).toEqual(['/m/long.flac']);
    expect(last().speed).toBeCloseTo(5);
  });

  it('reports are throttled to four a second, except when a job starts or finishes', () => {
    const { t, seen, at } = tracked([job('/m/a.flac', 100)]);
    t.start(0);
    const n = seen.length;
    for (let ms = 10; ms < 1000; ms += 10) {
      at(ms);
      t.time(0, ms / 100);
    }
    expect(seen.length - n).toBeLessThanOrEqual(4);
  });

  it('outputs an interrupt stopped are not done, and their source is not a finished master', () => {
    const { t, last } = tracked([job('/m/a.flac', 10)]);
    t.start(0);
    t.finished(0, [
      { status: 'failed', code: 'E_CANCELLED' },
      { status: 'failed', code: 'E_CANCELLED' },
    ]);
    expect(last()).toMatchObject({ outputsDone: 0, sourcesDone: 0, audioSecondsDone: 0, active: [] });
  });

  it('a split job: its pieces count their share of the audio, and its master is done when the last piece is', () => {
    const jobs = [job('/m/long.flac', 100)];
    const { t, last } = tracked(jobs);
    jobs.push({ ...jobs[0], outputs: [jobs[0].outputs[0]] }, { ...jobs[0], outputs: [jobs[0].outputs[1]] });
    t.split(0, 2);
    t.start(1);
    t.start(2);
    t.finished(2, [{ status: 'ok', size: 1 }]);
    expect(last()).toMatchObject({ outputsDone: 1, sourcesDone: 0, sourcesTotal: 1, audioSecondsDone: 50 });
    t.finished(1, [{ status: 'ok', size: 1 }]);
    expect(last()).toMatchObject({ outputsDone: 2, sourcesDone: 1, audioSecondsDone: 100 });
  });

  it('a retag batch: files only, no speed and no ETA', () => {
    const { t, at, last } = tracked([job('/m/a.flac', 10, 'retag'), job('/m/b.flac', 10, 'retag')]);
    t.start(0);
    at(5000);
    t.finished(0, [{ status: 'ok', size: 1 }]);
    expect(last()).toMatchObject({ phase: 'retag', outputsDone: 1, speed: 0, audioSecondsTotal: 0 });
    expect(last().etaSeconds).toBeUndefined();
  });
});
