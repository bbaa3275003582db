/**
 * The run registry in Redis: the coordinator lists its run (and beats a heartbeat) so workers can find its queue;
 * workers list why they refuse a run; the runs channel tells workers at once that a run started or must stop.
 */
import type { Redis } from 'ioredis';
import { RUNS_CHANNEL, REGISTRY_KEY, refusalsKey } from './naming.js';
import type { RunMessage, RunEntry } from './contract.js';

/** A run whose heartbeat is older than this is taken for dead: workers stop taking its jobs. */
export const STALE_RUN_MS = 60_000;

export async function registerRun(redis: Redis, queue: string, entry: RunEntry): Promise<void> {
  await redis.multi().hset(REGISTRY_KEY, queue, JSON.stringify(entry)).del(refusalsKey(queue)).exec();
}

export async function unregisterRun(redis: Redis, queue: string, runId: string): Promise<void> {
  const now = await runOf(redis, queue);
  // Only our own entry: a later run of the same folder may have taken the queue over already.
  if (now?.runId === runId) await redis.multi().hdel(REGISTRY_KEY, queue).del(refusalsKey(queue)).exec();
}

export async function runOf(redis: Redis, queue: string): Promise<RunEntry | undefined> {
  const s = await redis.hget(REGISTRY_KEY, queue);
  return s ? (JSON.parse(s) as RunEntry) : undefined;
}

/** Every run listed now, by queue name. */
export async function listRuns(redis: Redis): Promise<Map<string, RunEntry>> {
  const all = await redis.hgetall(REGISTRY_KEY);
  const runs = new Map<string, RunEntry>();
  for (const [queue, s] of Object.entries(all)) {
    try {
      runs.set(queue, JSON.parse(s) as RunEntry);
    } catch {
      // Not ours to judge: a damaged entry is skipped, the coordinator rewrites it with its next heartbeat.
    }
  }
  return runs;
}

export async function refuseRun(redis: Redis, queue: string, worker: string, why: string): Promise<void> {
  await redis.hset(refusalsKey(queue), worker, why);
}

export async function refusalsOf(redis: Redis, queue: string): Promise<Record<string, string>> {
  return redis.hgetall(refusalsKey(queue));
}

export async function announce(redis: Redis, m: RunMessage): Promise<void> {
  await redis.publish(RUNS_CHANNEL, JSON.stringify(m));
}
