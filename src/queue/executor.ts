/**
 * The queue executor: the coordinator's side of a run spread over machines. Each TranscodeJob becomes a BullMQ job
 * in the output folder's queue; workers (worker.ts) run it and return a result, which this executor hands back
 * to dispatch exactly as the local pool would. Only the coordinator publishes: workers leave finished outputs at
 * temporary names of their attempt, and the executor points the job's temp names at them.
 *
 *   coordinator                         Redis (BullMQ queue out-<hash>)            worker machines
 *   run(job) ── queue.add ────────────▶ wait ──────────────────────────────────▶ Worker: map paths, piscina, ffmpeg
 *            ◀─ QueueEvents progress ── {time} / {released} ◀──────────────────── job.updateProgress
 *            ◀─ completed + returnvalue (read, then the job is removed) ◀─────── QueueReturn
 *   cancelAll ─ pause, remove waiting, publish cancel ─────────────────────────▶ ffmpeg killed, temps removed
 *
 * A result also comes by polling each job now and then, since events can be lost while Redis restarts; a job Redis
 * lost altogether (restarted without persistence) is added again.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Requirement } from '../ffmpeg/capabilities.js';
import type { Logger } from '../model.js';
import { removeTemps } from '../store/atomic.js';
import type { Executor, ExecutorFactory, JobEvents } from '../transcode/executor.js';
import type { TranscodeJob, TranscodeResult } from '../transcode/job.js';
import { bullConnection, openRedis } from './connection.js';
import { lostResult, type QueueJobData, type QueueProgress, type QueueReturn, type RunEntry } from './contract.js';
import { attemptStem, attemptTemp, jobIdFor, PREFIX, queueName } from './naming.js';
import { announce, refusalsOf, registerRun, runOf, unregisterRun } from './registry.js';
import { describeConnection, type QueueSettings } from './url.js';

/** What the executor must know of the run: where it writes, what it reads, what its presets need. */
export interface QueueRunInfo {
  outDir: string;
  sources: string[];
  needs: Requirement[];
  logger: Logger;
  /** A cancelled job not back from its worker after this long is given up as cancelled. */
  killGraceMs: number;
}

const HEARTBEAT_MS = 10_000;
/** Attempts at a job a worker gave up on by throwing (a worker shut down mid-job); results that are failures are
 *  data and never retried. */
const ATTEMPTS = 3;

/** An executor factory that runs jobs on queue workers. */
export const queueExecutor =
  (q: QueueSettings, info: QueueRunInfo): ExecutorFactory =>
  () =>
    new QueueExecutor(q, info);

interface Waiter {
  job: TranscodeJob;
  events: JobEvents;
  resolve: (r: TranscodeResult) => void;
  submitted: boolean;
  checking: boolean;
  /** Queued again after Redis lost it: an earlier attempt may still finish on some worker, unseen by us. */
  requeued: boolean;
}

export class QueueExecutor implements Executor {
  readonly slots: number;
  readonly queueName: string;
  readonly runId = randomBytes(6).toString('hex');
  private readonly queue: Queue<QueueJobData, QueueReturn>;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly ready: Promise<void>;
  private readonly waiting = new Map<string, Waiter>();
  private readonly refusals = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private cancelled = false;
  private closed = false;
  /** Jobs Redis lost and we queued again: their first attempts are swept once more when the run ends. */
  private readonly requeued: TranscodeJob[] = [];

  constructor(
    private readonly q: QueueSettings,
    private readonly info: QueueRunInfo,
  ) {
    this.slots = q.inFlight ?? 64;
    this.queueName = queueName(info.outDir);
    const stopped = () => this.closed;
    const connection = bullConnection(q.connection, stopped);
    this.queue = new Queue(this.queueName, { connection, prefix: PREFIX });
    this.events = new QueueEvents(this.queueName, { connection, prefix: PREFIX });
    this.redis = openRedis(q.connection, stopped);
    for (const c of [this.queue, this.events, this.redis] as { on(e: 'error', f: (e: Error) => void): unknown }[])
      c.on('error', (e) => this.redisTrouble(e));
    this.events.on('progress', ({ jobId, data }) => this.progress(jobId, data as QueueProgress));
    this.events.on('completed', ({ jobId }) => void this.check(jobId));
    this.events.on('failed', ({ jobId }) => void this.check(jobId));
    this.ready = this.start();
    // run() reports a failed start per job; this keeps it from being an unhandled rejection meanwhile.
    this.ready.catch(() => undefined);
  }

  private lastTrouble = 0;
  private lastError?: string;
  private redisTrouble(e: Error): void {
    this.lastError = e.message;
    if (Date.now() - this.lastTrouble < 10_000) return;
    this.lastTrouble = Date.now();
    this.info.logger.warn(
      { event: 'queue', queue: this.queueName, redis: describeConnection(this.q.connection), error: e.message },
      `Redis at ${describeConnection(this.q.connection)}: ${e.message}; waiting for it (jobs are kept)`,
    );
  }

  /** Clear what a dead run of this folder left (we hold the folder's lock, so any run there is dead), then list ours. */
  private async start(): Promise<void> {
    const limit = this.q.connectTimeoutMs ?? 30_000;
    const reached = await Promise.race([
      Promise.all([this.events.waitUntilReady(), this.redis.ping()]).then(() => true),
      delay(limit).then(() => false),
    ]);
    if (!reached) {
      const where = describeConnection(this.q.connection);
      const why = this.lastError ? ` (${this.lastError})` : '';
      throw new Error(`cannot reach Redis at ${where} within ${limit / 1000} s${why}`);
    }
    const prev = await runOf(this.redis, this.queueName);
    if (prev) await announce(this.redis, { queue: this.queueName, runId: prev.runId, why: 'gone' });
    const dead = await this.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
    const left = dead.length;
    await this.queue.obliterate({ force: true });
    // What workers finished for the dead run waits at attempt temp names nobody will publish.
    for (const j of dead) if (j?.data?.job) await sweepAttempts(j.data.job);
    if (prev || left)
      this.info.logger.info(
        { event: 'queue', queue: this.queueName, removed: left, deadRun: prev?.runId },
        `removed ${left} queue entr${left === 1 ? 'y' : 'ies'} of a run of this folder that is gone`,
      );
    await registerRun(this.redis, this.queueName, this.entry());
    await announce(this.redis, { queue: this.queueName, runId: this.runId, why: 'started' });
    this.info.logger.info(
      { event: 'queue', queue: this.queueName, runId: this.runId, redis: describeConnection(this.q.connection) },
      `jobs go to queue ${this.queueName} at ${describeConnection(this.q.connection)}`,
    );
    const every = (ms: number, f: () => Promise<unknown>) => {
      const t = setInterval(() => void f().catch(() => undefined), ms);
      t.unref();
      this.timers.push(t);
    };
    every(HEARTBEAT_MS, () => registerRun(this.redis, this.queueName, this.entry()));
    every(this.q.pollMs ?? 2000, () => this.poll());
  }

  private entry(): RunEntry {
    const { outDir, sources, needs } = this.info;
    return {
      runId: this.runId,
      outDir,
      sources,
      needs,
      coordinator: `${hostname()} pid ${process.pid}`,
      heartbeat: Date.now(),
    };
  }

  async run(job: TranscodeJob, events: JobEvents): Promise<TranscodeResult> {
    try {
      await this.ready;
    } catch (e) {
      return lostResult(job, false, `${job.source.path}: not converted: ${(e as Error).message}`);
    }
    if (this.cancelled) return lostResult(job, true, `${job.source.path}: cancelled`);
    const id = jobIdFor(this.runId, job.id);
    return new Promise<TranscodeResult>((resolve) => {
      const w: Waiter = { job, events, resolve, submitted: false, checking: false, requeued: false };
      this.waiting.set(id, w);
      void this.submit(id, w);
    });
  }

  private async submit(id: string, w: Waiter): Promise<void> {
    try {
      await this.queue.add(
        'transcode',
        { runId: this.runId, job: w.job },
        { jobId: id, attempts: ATTEMPTS, removeOnComplete: false, removeOnFail: false },
      );
      w.submitted = true;
    } catch (e) {
      this.finish(id, lostResult(w.job, false, `${w.job.source.path}: could not be queued: ${(e as Error).message}`));
    }
  }

  private progress(jobId: string, p: QueueProgress | undefined): void {
    const w = this.waiting.get(jobId);
    if (!w || !p || typeof p !== 'object') return;
    if ('time' in p && typeof p.time === 'number') w.events.onTime(p.time);
    else if ('released' in p) w.events.onReleased();
  }

  /** Look at one job: finished (take its result, remove it), lost by Redis (add it again), or still going. */
  private async check(id: string): Promise<void> {
    const w = this.waiting.get(id);
    if (!w || w.checking || !w.submitted) return;
    w.checking = true;
    try {
      const j = await Job.fromId<QueueJobData, QueueReturn>(this.queue, id);
      if (!j) {
        if (this.cancelled) return this.finish(id, lostResult(w.job, true, `${w.job.source.path}: cancelled`));
        this.info.logger.warn(
          { event: 'queue', job: id, source: w.job.source.path },
          `${w.job.source.path}: its job is gone from Redis (restarted without persistence?); queued again`,
        );
        w.submitted = false;
        w.requeued = true;
        this.requeued.push({ ...w.job, outputs: w.job.outputs.map((o) => ({ ...o })) });
        await this.submit(id, w);
        return;
      }
      const state = await j.getState();
      if (state === 'completed' && j.returnvalue) {
        const result = await this.take(w.job, j.returnvalue, j.attemptsStarted > 1 || w.requeued);
        await j.remove().catch(() => undefined);
        return this.finish(id, result);
      }
      if (state === 'failed') {
        await j.remove().catch(() => undefined);
        await sweepAttempts(w.job);
        const why = `${w.job.source.path}: lost on its worker (${j.failedReason})`;
        return this.finish(
          id,
          lostResult(w.job, this.cancelled, this.cancelled ? `${w.job.source.path}: cancelled` : why),
        );
      }
      // Cancelled, and no worker has it: it never will (the queue is paused), so it ends here.
      if (this.cancelled && state !== 'active') {
        await j.remove().catch(() => undefined);
        return this.finish(id, lostResult(w.job, true, `${w.job.source.path}: cancelled`));
      }
    } catch {
      // Redis is away: the next poll looks again.
    } finally {
      w.checking = false;
    }
  }

  /** A worker's result, with the job's temp names pointed at the attempt that made it and every other attempt's
   *  leftovers removed (a worker that died mid-job). */
  private async take(job: TranscodeJob, ret: QueueReturn, retried: boolean): Promise<TranscodeResult> {
    for (const o of job.outputs) {
      o.temp = attemptTemp(o.temp, ret.attempt);
      o.tagTemp = attemptTemp(o.tagTemp, ret.attempt);
    }
    if (retried) await sweepAttempts(job, ret.attempt);
    const outputs = ret.result.outputs.map((r) =>
      r.status === 'ok' ? { ...r, host: ret.host, ffmpegVersion: ret.ffmpegVersion } : r,
    );
    return { ...ret.result, id: job.id, outputs };
  }

  private finish(id: string, result: TranscodeResult): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    w.events.onReleased();
    w.resolve(result);
  }

  private async poll(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((id) => this.check(id)));
    for (const [worker, why] of Object.entries(await refusalsOf(this.redis, this.queueName))) {
      if (this.refusals.get(worker) === why) continue;
      this.refusals.set(worker, why);
      this.info.logger.warn(
        { event: 'worker-refused', worker, reason: why },
        `worker ${worker} will not take this run's jobs: ${why}`,
      );
    }
  }

  /** Stop: no waiting job is taken any more, running ones are told to stop (their ffmpeg killed, temps removed). */
  cancelAll(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    void this.cancelInRedis().catch(() => undefined);
    // Redis away, or a job's machine dead: a cancelled run does not wait for them.
    const t = setTimeout(() => {
      for (const [id, w] of this.waiting) this.finish(id, lostResult(w.job, true, `${w.job.source.path}: cancelled`));
    }, this.info.killGraceMs + 15_000);
    t.unref();
    this.timers.push(t);
  }

  private async cancelInRedis(): Promise<void> {
    await this.ready;
    await this.queue.pause();
    await announce(this.redis, { queue: this.queueName, runId: this.runId, why: 'cancelled' });
    await this.poll();
  }

  /** Remove every job of this run from Redis and the run from the registry; close the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    const started = await this.ready.then(
      () => true,
      () => false,
    );
    if (started) {
      const tidy = (async () => {
        await unregisterRun(this.redis, this.queueName, this.runId);
        await announce(this.redis, { queue: this.queueName, runId: this.runId, why: 'finished' });
        // A worker still on the queue would write its bookkeeping keys again after they are cleared.
        for (let i = 0; i < 50 && (await this.queue.getWorkersCount()) > 0; i++) await delay(100);
        await this.queue.obliterate({ force: true });
        // A first attempt at a job Redis lost may have finished after its second was taken (its worker told of
        // the loss only when it tried to hand the result in): workers have left the run now, so this is the last.
        for (const job of this.requeued) await sweepAttempts(job);
      })();
      const ok = await Promise.race([tidy.then(() => true), delay(10_000).then(() => false)]).catch(() => false);
      if (!ok)
        this.info.logger.warn(
          { event: 'queue', queue: this.queueName },
          `could not clear queue ${this.queueName} in Redis; the next run of this folder removes what is left`,
        );
      await Promise.race([Promise.allSettled([this.events.close(), this.queue.close()]), delay(5000)]);
    }
    this.redis.disconnect();
    // BullMQ's disconnect waits for a connection that never came up; the retry strategy has ended those already.
    await Promise.race([Promise.allSettled([this.events.disconnect(), this.queue.disconnect()]), delay(2000)]);
  }
}

const delay = (ms: number) =>
  new Promise<void>((r) => {
    setTimeout(r, ms).unref();
  });

/** Remove the temporaries of a job's attempts (but `keep`'s): those of a worker that died mid-job. */
export async function sweepAttempts(job: TranscodeJob, keep?: string): Promise<void> {
  const kept = new Set(keep ? job.outputs.flatMap((o) => [o.temp, o.tagTemp]) : []);
  const stems = new Set(job.outputs.flatMap((o) => [o.temp, o.tagTemp]).map((t) => attemptStem(stripAttempt(t, keep))));
  const byDir = new Map<string, string[]>();
  for (const s of stems) byDir.set(dirname(s), [...(byDir.get(dirname(s)) ?? []), basename(s)]);
  for (const [dir, names] of byDir) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    const doomed = entries
      .filter((e) => names.some((n) => e.startsWith(n)))
      .map((e) => join(dir, e))
      .filter((p) => !kept.has(p));
    await removeTemps(...doomed);
  }
}

/** The coordinator's temp name of an attempt's temp name. */
const stripAttempt = (temp: string, tag: string | undefined) =>
  tag ? temp.replace(new RegExp(`\\.${tag}\\.partial$`), '.partial') : temp;
