import type { PlannedJob, ProgressEvent } from '../model.js';
/**
 * Progress of a batch of jobs, in source-audio seconds (what "× realtime" and the ETA are made of) and
 * in outputs. A job that makes k of a source's n outputs counts k/n of the source; retag jobs decode
 * nothing and count only as files. Reports are throttled to four a second.
 */

export class ProgressTracker {
  private readonly perSource = new Map<string, number>();
  private readonly live = new Map<number, number>();
  private readonly audioTotal: number;
  private readonly outputsTotal: number;
  private audioDone = 0;
  private outputsDone = 0;
  private readonly started = Date.now();
  private lastReport = 0;

  constructor(
    private readonly jobs: PlannedJob[],
    private readonly sink: (p: ProgressEvent) => void,
  ) {
    for (const j of jobs.filter(decodes))
      this.perSource.set(j.source.path, (this.perSource.get(j.source.path) ?? 0) + Math.max(1, j.outputs.length));
    this.audioTotal = [...new Set(jobs.filter(decodes).map((j) => j.source))].reduce(
      (a, s) => a + (s.duration ?? 0),
      0,
    );
    this.outputsTotal = jobs.reduce((a, j) => a + j.outputs.length, 0);
  }

  /** Job `id` has reached `seconds` of its source. */
  time(id: number, seconds: number): void {
    const job = this.jobs[id];
    this.live.set(id, Math.min(seconds, job.source.duration ?? seconds) * this.share(job));
    this.report();
  }

  /** Job `id` is finished, with `outputs` outputs made or failed. */
  finished(id: number, outputs: number): void {
    const job = this.jobs[id];
    this.live.delete(id);
    this.audioDone += (job.source.duration ?? 0) * this.share(job);
    this.outputsDone += outputs;
    this.report(true);
  }

  private share(j: PlannedJob): number {
    return decodes(j) ? Math.max(1, j.outputs.length) / (this.perSource.get(j.source.path) ?? 1) : 0;
  }

  private report(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastReport < 250) return;
    this.lastReport = now;
    const done = this.audioDone + [...this.live.values()].reduce((a, b) => a + b, 0);
    const speed = done / Math.max(0.001, (now - this.started) / 1000);
    this.sink({
      type: 'progress',
      outputsDone: this.outputsDone,
      outputsTotal: this.outputsTotal,
      audioSecondsDone: done,
      audioSecondsTotal: this.audioTotal,
      speed,
      ...(speed > 0 ? { etaSeconds: Math.max(0, (this.audioTotal - done) / speed) } : {}),
    });
  }
}

const decodes = (j: PlannedJob) => j.kind !== 'retag';
