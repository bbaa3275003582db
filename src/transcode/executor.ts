/**
 * The executor seam: where transcode jobs run. The coordinator hands an executor plain, serialisable
 * TranscodeJobs (no functions, no shared memory) and gets TranscodeResults back; progress, the
 * "ffmpeg has exited" release and cancellation travel as messages. The local piscina pool
 * (local-pool.ts) is one implementation; a job queue spanning machines or an on-demand server are
 * others, on the same contract.
 */
import type { TranscodeJob, TranscodeResult } from './job.js';

/** Messages from a running job. */
export interface JobEvents {
  /** The media time (seconds) ffmpeg has reached, a few times a second. */
  onTime(seconds: number): void;
  /** ffmpeg has exited: the job's slot may take the next job while this one is checked and tagged. */
  onReleased(): void;
}

export interface Executor {
  /** How many jobs run at once (ffmpeg processes). */
  readonly slots: number;
  /** Run one job to the end. Never rejects: a lost job (a crashed thread, a dead machine) is a failed result. */
  run(job: TranscodeJob, events: JobEvents): Promise<TranscodeResult>;
  /** Ask one running job to stop (optional: an executor without it lets the job finish). */
  cancel?(id: number): void;
  /** Ask every running job to stop; each resolves soon after, cancelled, its ffmpeg killed and temporaries removed. */
  cancelAll(): void;
  /** Release threads, connections or whatever the executor holds. */
  close(): Promise<void>;
}

/** Makes an executor for a run with `slots` jobs at once. */
export type ExecutorFactory = (slots: number) => Executor;
