/**
 * Names in Redis. Each output folder has its own queue (a hash of its path), so several libraries
 * can share one Redis; a registry lists the runs now using a queue, which is how workers find them.
 */
import { createHash } from 'node:crypto';

/** BullMQ's key prefix for every audiofan queue, and the prefix of our own keys. */
export const PREFIX = 'audiofan';
/** Hash: queue name -> RunEntry (JSON) of the run using it now. */
export const REGISTRY_KEY = `${PREFIX}:runs`;
/** Channel: a run started, was cancelled, died or finished (RunMessage, JSON); workers act at once. */
export const RUNS_CHANNEL = `${PREFIX}:runs-channel`;
/** Hash per queue: worker -> why it will not take that run's jobs. */
export const refusalsKey = (queue: string) => `${PREFIX}:refusals:${queue}`;

/** The queue of an output folder (its absolute path): one per folder, the same on every run. */
export function queueName(outDir: string): string {
  return `out-${createHash('sha256').update(outDir).digest('hex').slice(0, 16)}`;
}

/** The BullMQ job id of a run's job: unique across runs, so a dead run's job is never taken for a live one's. */
export const jobIdFor = (runId: string, id: number) => `${runId}-${id}`;

/** Temporary names of one attempt at a job: the coordinator's name with the attempt's tag before `.partial`. */
export function attemptTemp(temp: string, tag: string): string {
  return temp.replace(/\.partial$/, `.${tag}.partial`);
}

/** The start every attempt's temporary of `temp` shares (see attemptTemp). */
export function attemptStem(temp: string): string {
  return temp.replace(/\.partial$/, '.');
}
