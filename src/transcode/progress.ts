/**
 * Progress of a batch of jobs, in source-audio seconds (what "× realtime" and the ETA are made of), in
 * outputs and in sources (masters), with the jobs running now and the bytes written. A job that makes k
 * of a source's n outputs counts k/n of the source; retag jobs decode nothing and count only as files.
 * Reports are throttled to four a second, except when a job starts or finishes.
 */
import type { ActiveJob, PlannedJob, ProgressEvent } from '../model.js';
import { EtaSmoother } from './eta.js';

/** What progress needs of a finished job's outputs. */
export interface FinishedOutput {
  status: 'ok' | 'failed';
  code?: string;
  size?: number;
}

export class ProgressTracker {
  private readonly perSource = new Map<string, number>();
  private readonly jobsLeft = new Map<string, number>();
  private readonly live = new Map<number, number>();
  private readonly active = new Map<number, ActiveJob>();
  private readonly audioTotal: number;
  private readonly outputsTotal: number;
  private readonly phase: ProgressEvent['phase'];
  private audioDone = 0;
  private outputsDone = 0;
  private sourcesDone = 0;
  private bytesWritten = 0;
  private readonly started: number;
  private readonly eta: EtaSmoother;
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly jobs: PlannedJob[],
    private readonly sink: (p: ProgressEvent) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.eta = new EtaSmoother();
    for (const j of jobs) this.jobsLeft.set(j.source.path, (this.jobsLeft.get(j.source.path) ?? 0) + 1);
    for (const j of jobs.filter(decodes))
      this.perSource.set(j.source.path, (this.perSource.get(j.source.path) ?? 0) + Math.max(1, j.outputs.length));
    this.audioTotal = [...new Set(jobs.filter(decodes).map((j) => j.source))].reduce(
      (a, s) => a + (s.duration ?? 0),
      0,
    );
    this.outputsTotal = jobs.reduce((a, j) => a + j.outputs.length, 0);
    this.phase = jobs.some(decodes) ? 'encode' : 'retag';
  }

  /** Job `id` was handed to a worker. */
  start(id: number): void {
    const job = this.jobs[id];
    this.active.set(id, {
      source: job.source.path,
      presets: job.outputs.map((o) => o.preset.id),
      seconds: 0,
      ...(job.source.duration !== undefined ? { duration: job.source.duration } : {}),
    });
    this.report(true);
  }

  /** Job `id` was cut into `pieces` jobs (appended to the jobs array this tracker was given); it never runs
   *  itself, and its source is done when all of them are. */
  split(id: number, pieces: number): void {
    const path = this.jobs[id].source.path;
    this.jobsLeft.set(path, (this.jobsLeft.get(path) ?? 1) + pieces - 1);
  }

  /** Job `id` has reached `seconds` of its source. */
  time(id: number, seconds: number): void {
    const job = this.jobs[id];
    const reached = Math.min(seconds, job.source.duration ?? seconds);
    this.live.set(id, reached * this.share(job));
    const a = this.active.get(id);
    if (a) a.seconds = reached;
    this.report();
  }

  /** Job `id` is finished with these outputs; those an interrupt stopped are not counted as done. */
  finished(id: number, outputs: FinishedOutput[]): void {
    const job = this.jobs[id];
    this.live.delete(id);
    this.active.delete(id);
    const stopped = outputs.some((o) => o.code === 'E_CANCELLED');
    if (!stopped) this.audioDone += (job.source.duration ?? 0) * this.share(job);
    const done = outputs.filter((o) => o.code !== 'E_CANCELLED');
    this.outputsDone += done.length;
    this.bytesWritten += done.reduce((a, o) => a + (o.status === 'ok' ? (o.size ?? 0) : 0), 0);
    const left = (this.jobsLeft.get(job.source.path) ?? 1) - 1;
    this.jobsLeft.set(job.source.path, left);
    if (left === 0 && !stopped) this.sourcesDone++;
    this.report(true);
  }

  private share(j: PlannedJob): number {
    return decodes(j) ? Math.max(1, j.outputs.length) / (this.perSource.get(j.source.path) ?? 1) : 0;
  }

  private report(force = false): void {
    const now = this.now();
    if (!force && now - this.lastReport < 250) return;
    this.lastReport = now;
    const done = this.audioDone + [...this.live.values()].reduce((a, b) => a + b, 0);
    const elapsed = (now - this.started) / 1000;
    const eta = this.phase === 'encode' ? this.eta.update(done, this.audioTotal, now) : undefined;
    this.sink({
      type: 'progress',
      phase: this.phase,
      outputsDone: this.outputsDone,
      outputsTotal: this.outputsTotal,
      sourcesDone: this.sourcesDone,
      sourcesTotal: this.jobsLeft.size,
      bytesWritten: this.bytesWritten,
      elapsedSeconds: elapsed,
      active: [...this.active.values()].map((a) => ({ ...a, presets: [...a.presets] })),
      audioSecondsDone: done,
      audioSecondsTotal: this.audioTotal,
      speed: elapsed > 0 ? done / elapsed : 0,
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
    });
  }
}

const decodes = (j: PlannedJob) => j.kind !== 'retag';
