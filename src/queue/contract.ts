/**
 * What travels through Redis: the job's data (a TranscodeJob in the coordinator's paths, never file contents),
 * a worker's progress reports, its return value, the run registry's entries and the cancel message.
 */
import type { Requirement } from '../ffmpeg/capabilities.js';
import type { TranscodeJob, TranscodeResult } from '../transcode/job.js';

export interface QueueJobData {
  runId: string;
  job: TranscodeJob;
}

/** Job progress (BullMQ job progress, relayed by QueueEvents): ffmpeg's media time, or ffmpeg has exited. */
export type QueueProgress = { time: number } | { released: true };

/** A worker's return value. */
export interface QueueReturn {
  result: TranscodeResult;
  /** The tag of this attempt's temporaries (see naming.ts attemptTemp); the coordinator publishes from them. */
  attempt: string;
  /** Who made the outputs: the worker's name (its host name unless set) and its ffmpeg's version. */
  host: string;
  ffmpegVersion: string;
}

/** A run using a queue now, as the registry lists it: what workers need to decide whether they can take part. */
export interface RunEntry {
  runId: string;
  outDir: string;
  sources: string[];
  /** Encoders, muxers and filters the run's presets need (present: as the coordinator's ffmpeg has them). */
  needs: Requirement[];
  coordinator: string;
  /** Date.now() of the coordinator's last heartbeat; a run silent for long is taken for dead. */
  heartbeat: number;
}

export interface RunMessage {
  queue: string;
  runId: string;
  /** started: look at the registry now; cancelled: the coordinator stopped the run and takes what finished; gone: the
   *  run died, nobody will take what it made; finished: the run is over, workers leave its queue (so it can be cleared). */
  why: 'started' | 'cancelled' | 'gone' | 'finished';
}

/** A job's result when it did not run to the end (cancelled, or lost with its machine): every output failed. */
export function lostResult(job: TranscodeJob, cancelled: boolean, message: string): TranscodeResult {
  return {
    id: job.id,
    elapsedMs: 0,
    cancelled,
    outputs: job.outputs.map((o) => ({
      key: o.key,
      status: 'failed',
      code: cancelled ? 'E_CANCELLED' : 'E_WORKER_CRASHED',
      message,
    })),
  };
}
