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
  /** The slots are this machine's cores: at the end of a run a job may be cut into pieces, one ffmpeg each,
   *  so an idle core takes one (see schedule.ts). Default false: a queue's slots are other machines' jobs in
   *  flight, where an extra decode of the master buys nothing. */
  readonly splitTail?: boolean;
  /** Run one job to the end. Never rejects: a lost job (a crashed thread, a dead machine) is a failed result.
   *  It may point the job's temp names at the files it made (a queue worker names its own, per attempt): callers
   *  read `job.outputs[].temp` after it resolves. */
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
