/**
 * A split job's pieces (schedule.ts) put back together: one result and one worker-facing job per planned job,
 * as if it had run whole, so the coordinator publishes, records and reports it exactly like any other.
 */
import type { OutputResult, TranscodeJob, TranscodeResult } from './job.js';
import type { PlannedJob } from '../model.js';

/** A piece that ran: the job the worker was given (its temp names) and what came back. */
export interface PieceRun {
  tj: TranscodeJob;
  result: TranscodeResult;
}

/**
 * The job's result from its pieces': outputs in the job's own order, the loudness of the piece that measured,
 * the decoded length and damage any piece found (each decoded the whole master). Outputs of pieces that never
 * started (the run was interrupted) are cancelled, so the next run makes them.
 */
export function mergeResults(id: number, job: PlannedJob, runs: PieceRun[]): TranscodeResult {
  const made = runs.flatMap((r) => r.result.outputs);
  const seen = new Set(made.map((o) => o.key));
  const missing: OutputResult[] = job.outputs
    .filter((o) => !seen.has(o.preset.id))
    .map((o) => ({
      key: o.preset.id,
      status: 'failed',
      code: 'E_CANCELLED',
      message: `${job.source.path}: cancelled`,
    }));
  const results = runs.map((r) => r.result);
  const decoded = results.map((r) => r.decodedSeconds).filter((d): d is number => d !== undefined);
  const loudness = results.find((r) => r.loudness)?.loudness;
  const damaged = results.find((r) => r.damaged)?.damaged;
  return {
    id,
    outputs: inJobOrder(job, [...made, ...missing], (o) => o.key),
    ...(decoded.length ? { decodedSeconds: Math.max(...decoded) } : {}),
    ...(loudness ? { loudness } : {}),
    ...(damaged ? { damaged } : {}),
    elapsedMs: Math.max(0, ...results.map((r) => r.elapsedMs)),
    cancelled: missing.length > 0 || results.some((r) => r.cancelled),
  };
}

/** The worker-facing job as if it had run whole: every piece's outputs with the temp names they were made at. */
export function mergeJobs(id: number, job: PlannedJob, runs: PieceRun[]): TranscodeJob {
  const first = runs[0].tj;
  return {
    ...first,
    id,
    measureLoudness: job.measureLoudness,
    outputs: inJobOrder(
      job,
      runs.flatMap((r) => r.tj.outputs),
      (o) => o.key,
    ),
  };
}

function inJobOrder<T>(job: PlannedJob, xs: T[], key: (x: T) => string): T[] {
  const rank = new Map(job.outputs.map((o, i) => [o.preset.id, i]));
  return [...xs].sort((a, b) => (rank.get(key(a)) ?? 0) - (rank.get(key(b)) ?? 0));
}
