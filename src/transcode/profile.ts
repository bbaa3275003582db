/**
 * Opt-in CPU accounting of a worker thread's steps, for `npm run bench -- --profile`. With AUDIOFAN_PROFILE naming
 * a file, each job appends one JSON line to it: the thread's CPU seconds in each named step, the bytes its tag
 * writes wrote, the job's and the thread's CPU so far. Without it every call only runs the step: profiling off
 * costs one comparison per step.
 *
 * A worker thread runs one job at a time (concurrentTasksPerWorker 1), so while a step is awaited nothing else
 * runs on its thread, and the thread's CPU across the step is the step's own. File I/O the step hands to libuv's
 * thread pool is not on this thread: the bench counts it with the process's other threads.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const target = process.env.AUDIOFAN_PROFILE || undefined;

/** CPU seconds the calling thread has run: the scheduler's nanosecond count, else utime + stime in 10 ms ticks. */
export function threadCpuSeconds(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e9;
  } catch {
    const s = readFileSync('/proc/thread-self/stat', 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  }
}

/** One job's record, as appended to the profile file. */
export interface JobProfile {
  thread: number;
  /** This thread's CPU seconds since it started, at the job's end. */
  threadCpu: number;
  /** The job's CPU seconds on this thread, start to end. */
  job: number;
  /** CPU seconds by step. */
  steps: Record<string, number>;
  /** Bytes written by step (the files a step wrote, by size). */
  bytes: Record<string, number>;
}

let current: (JobProfile & { started: number }) | undefined;

/** A job starts on this thread (no-op unless profiling). */
export function profileJobStart(): void {
  if (!target) return;
  current = { thread: threadId, threadCpu: 0, job: 0, steps: {}, bytes: {}, started: threadCpuSeconds() };
}

/**
 * Run `step`, its CPU on this thread added to `name`; when `wrote` is given, the size of that file afterwards is
 * added to the step's bytes (a file the step failed to write counts nothing).
 */
export async function profiled<T>(name: string, step: () => Promise<T>, wrote?: () => string): Promise<T> {
  const p = current;
  if (!p) return step();
  const t0 = threadCpuSeconds();
  try {
    return await step();
  } finally {
    p.steps[name] = (p.steps[name] ?? 0) + threadCpuSeconds() - t0;
    if (wrote) {
      try {
        p.bytes[name] = (p.bytes[name] ?? 0) + statSync(wrote()).size;
      } catch {}
    }
  }
}

/** The job has ended: its record is appended to the profile file (no-op unless profiling). */
export function profileJobEnd(): void {
  const p = current;
  current = undefined;
  if (!p || !target) return;
  const { started, ...record } = p;
  record.threadCpu = threadCpuSeconds();
  record.job = record.threadCpu - started;
  // One short line per write, in append mode: lines from several threads do not interleave.
  appendFileSync(target, `${JSON.stringify(record)}\n`);
}
