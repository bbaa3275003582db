/**
 * Feed planned jobs to the pool, as many at once as there are workers, and report progress.
 * Jobs are handed out one by one (not queued in piscina) so a cancel stops new work at once.
 */
import { join } from 'node:path';
import { removeTemps, tempPathFor } from './atomic.js';
import type { TranscodeJob, TranscodeResult } from './job.js';
import type { ProgressEvent } from './library-run.js';
import type { PlannedJob } from './plan.js';
import { TranscodePool } from './pool.js';
import { containerOf } from './presets.js';
import type { Id3Version } from './tagging/id3v2.js';

export interface JobOutcome {
  job: PlannedJob;
  result: TranscodeResult;
}

/** Settings that shape every job's tags. */
export interface TagOptions {
  id3Version: Id3Version;
  loudness: boolean;
  artMaxSize?: number;
}

/** The worker-facing job for a planned job (temp names are chosen here, by the coordinator). */
export function toTranscodeJob(id: number, job: PlannedJob, outDir: string, ffmpegPath: string, killGraceMs: number, tagOptions: TagOptions): TranscodeJob {
  const s = job.source;
  return {
    id, kind: job.kind, ffmpegPath, killGraceMs, measureLoudness: job.measureLoudness,
    source: { path: s.path, size: s.size, mtimeMs: s.mtimeMs, sampleRate: s.sampleRate, duration: s.duration },
    tags: { entries: s.tags, ...(s.cover ? { cover: s.cover } : {}), ...tagOptions, ...(job.gains ? { gains: job.gains } : {}) },
    outputs: job.outputs.map((o) => {
      const final = join(outDir, o.rel);
      const c = containerOf(o.preset);
      return { key: o.preset.id, final, temp: tempPathFor(final), tagTemp: tempPathFor(final), args: o.args, writer: c.tagWriter, art: o.preset.art !== false && c.art };
    }),
  };
}

export async function dispatch(args: {
  jobs: PlannedJob[];
  outDir: string;
  ffmpegPath: string;
  threads: number;
  killGraceMs: number;
  tagOptions: TagOptions;
  signal?: AbortSignal;
  onProgress: (p: ProgressEvent) => void;
  /** Called with each finished job; may return a promise (the coordinator journals and publishes outputs). */
  onJobDone: (o: JobOutcome, job: TranscodeJob) => void | Promise<void>;
}): Promise<{ outcomes: JobOutcome[]; notStarted: PlannedJob[] }> {
  const { jobs, signal } = args;
  const pool = new TranscodePool(Math.min(args.threads, Math.max(1, jobs.length)));
  const outcomes: JobOutcome[] = [];
  // Progress in source-audio seconds: a job that makes k of a source's n outputs counts k/n of it.
  // Retag jobs decode nothing and count only as files.
  const decoding = (j: PlannedJob) => j.kind !== 'retag';
  const perSource = new Map<string, number>();
  for (const j of jobs.filter(decoding)) perSource.set(j.source.path, (perSource.get(j.source.path) ?? 0) + Math.max(1, j.outputs.length));
  const share = (j: PlannedJob) => (decoding(j) ? Math.max(1, j.outputs.length) / (perSource.get(j.source.path) ?? 1) : 0);
  const audioTotal = [...new Set(jobs.filter(decoding).map((j) => j.source))].reduce((a, s) => a + (s.duration ?? 0), 0);
  const outputsTotal = jobs.reduce((a, j) => a + j.outputs.length, 0);
  const live = new Map<number, number>();
  let audioDone = 0;
  let outputsDone = 0;
  const started = Date.now();
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    const done = audioDone + [...live.values()].reduce((a, b) => a + b, 0);
    const speed = done / Math.max(0.001, (now - started) / 1000);
    args.onProgress({ type: 'progress', outputsDone, outputsTotal, audioSecondsDone: done, audioSecondsTotal: audioTotal, speed,
      ...(speed > 0 ? { etaSeconds: Math.max(0, (audioTotal - done) / speed) } : {}) });
  };
  const onAbort = () => pool.cancelAll();
  signal?.addEventListener('abort', onAbort);
  let next = 0;
  const finishing: Promise<void>[] = [];
  const runJob = async (id: number, released: () => void) => {
    const job = jobs[id];
    let tj: TranscodeJob | undefined;
    let outcome: JobOutcome;
    try {
      tj = toTranscodeJob(id, job, args.outDir, args.ffmpegPath, args.killGraceMs, args.tagOptions);
      const result = await pool.run(tj, (t) => { live.set(id, Math.min(t, job.source.duration ?? t) * share(job)); report(); }, released);
      outcome = { job, result };
      await args.onJobDone(outcome, tj);
    } finally {
      // A lane waits for `released`: whatever went wrong, it must come, or the run would hang.
      released();
      // Whatever was not published (failed, or a crashed thread's leftovers) is removed now, even if
      // publishing threw.
      if (tj) await removeTemps(...tj.outputs.flatMap((o) => [o.temp, o.tagTemp]));
    }
    const { result } = outcome;
    live.delete(id);
    audioDone += (job.source.duration ?? 0) * share(job);
    outputsDone += result.outputs.length;
    outcomes.push(outcome);
    report(true);
  };
  // A lane is an ffmpeg slot: it takes the next job as soon as the current one's ffmpeg exits.
  const lane = async () => {
    while (next < jobs.length && !signal?.aborted) {
      const id = next++;
      await new Promise<void>((released) => { finishing.push(runJob(id, released)); });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(args.threads, jobs.length) }, lane));
    await Promise.all(finishing);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
  const startedIds = new Set(outcomes.map((o) => o.job));
  return { outcomes, notStarted: jobs.filter((j) => !startedIds.has(j)) };
}

