/**
 * `audiofan worker`: one machine's share of the runs listed in Redis. It finds runs in the registry, checks it can
 * take part (its ffmpeg has what the run's presets need; it can read the sources and write the output folder, through
 * --map), says plainly why when it cannot, and otherwise takes that run's jobs with a BullMQ Worker into its own
 * piscina pool. A cancel message stops a run's jobs here (ffmpeg killed, temporaries removed).
 */
import { access, constants } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { inspectFfmpeg, type FfmpegInfo } from '../ffmpeg/adapter.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import type { Logger } from '../model.js';
import { TranscodePool } from '../transcode/local-pool.js';
import { bullConnection, openRedis } from './connection.js';
import type { RunMessage, QueueJobData, QueueReturn, RunEntry } from './contract.js';
import { RUNS_CHANNEL, PREFIX } from './naming.js';
import { mapPath, parseMappings, type PathMapping } from './path-map.js';
import { listRuns, refuseRun, runOf, STALE_RUN_MS } from './registry.js';
import { describeConnection, type QueueConnection } from './url.js';
import { localJob, runWorkerJob } from './worker-job.js';
import { removeTemps } from '../store/atomic.js';

export interface WorkerOptions {
  /** Redis: a URL (redis://[user:pass@]host[:port][/db], rediss:// for TLS) or ioredis options. Required. */
  connection: QueueConnection;
  /** ffmpeg processes at once. Default: CPU count. */
  jobs?: number;
  /** Path mappings, `from=to` (the coordinator's path = this machine's), or parsed. Default none. */
  map?: readonly string[] | readonly PathMapping[];
  /** The ffmpeg binary. Default: as a run finds it (FFMPEG_PATH, ffmpeg-static, PATH, @ffmpeg-installer). */
  ffmpegPath?: string;
  /** This worker's name in logs and in the manifest entries of what it made. Default: the host name. */
  name?: string;
  logger?: Logger;
  /** How long a job's lock lasts without renewal: a worker silent this long is taken for dead and its job handed on.
   *  Default 30000 ms. */
  lockMs?: number;
  /** How often this worker looks for other workers' stalled jobs. Default: lockMs. */
  stalledMs?: number;
  /** How often the registry is read for new runs. Default 2000 ms. */
  pollMs?: number;
}

export interface QueueWorker {
  readonly name: string;
  readonly ffmpeg: { path: string; version: string };
  /** Stop taking jobs; jobs running here are stopped and handed back to the queue for another worker. */
  close(): Promise<void>;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Start a worker; resolves once its ffmpeg is checked and it is listening for runs. */
export async function startWorker(o: WorkerOptions): Promise<QueueWorker> {
  const located = locateFfmpeg(o.ffmpegPath);
  const info = await inspectFfmpeg(located.path);
  const maps = (o.map ?? []).some((m) => typeof m === 'string')
    ? parseMappings(o.map as string[])
    : [...((o.map as PathMapping[] | undefined) ?? [])];
  const node = new WorkerNode(o, maps, located.path, info);
  await node.start();
  return node;
}

interface RunHere {
  entry: RunEntry;
  worker?: Worker<QueueJobData, QueueReturn>;
  refused?: string;
}

class WorkerNode implements QueueWorker {
  readonly name: string;
  readonly ffmpeg: { path: string; version: string };
  private readonly log: Logger;
  private readonly pool: TranscodePool;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly runs = new Map<string, RunHere>();
  /** Jobs running here: BullMQ id -> its run and pool id; `handBack` when this worker is shutting down. */
  private readonly active = new Map<string, { runId: string; localId: number; stop: boolean }>();
  /** Runs that died (a later run of the folder took the queue over): their finished temps are removed here. */
  private readonly gone = new Set<string>();
  private nextId = 0;
  private timer?: NodeJS.Timeout;
  private closing = false;
  private looking = false;
  private lookAgain = false;
  /** ffmpeg slots free now, and jobs waiting for one (BullMQ runs twice as many jobs: half of them checking and
   *  tagging outputs after ffmpeg has exited, as the local pool does). */
  private free: number;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(
    private readonly o: WorkerOptions,
    private readonly maps: PathMapping[],
    ffmpegPath: string,
    private readonly info: FfmpegInfo,
  ) {
    this.name = o.name ?? hostname();
    this.ffmpeg = { path: ffmpegPath, version: info.version };
    this.log = o.logger ?? silent;
    this.pool = new TranscodePool(this.jobs);
    this.free = this.jobs;
    this.redis = openRedis(o.connection, () => this.closing);
    this.sub = openRedis(o.connection, () => this.closing);
    for (const c of [this.redis, this.sub]) c.on('error', (e: Error) => this.trouble(e));
  }

  private get jobs(): number {
    return this.o.jobs ?? availableParallelism();
  }

  private lastTrouble = 0;
  private trouble(e: Error): void {
    if (Date.now() - this.lastTrouble < 10_000) return;
    this.lastTrouble = Date.now();
    const where = describeConnection(this.o.connection);
    this.log.warn({ event: 'redis', redis: where, error: e.message }, `Redis at ${where}: ${e.message}; retrying`);
  }

  async start(): Promise<void> {
    this.sub.on('message', (_ch: string, text: string) => {
      try {
        this.cancelRun(JSON.parse(text) as RunMessage);
      } catch {
        // Not a message of ours.
      }
    });
    await this.sub.subscribe(RUNS_CHANNEL);
    this.log.info(
      {
        event: 'worker',
        name: this.name,
        jobs: this.jobs,
        ffmpeg: this.ffmpeg,
        redis: describeConnection(this.o.connection),
      },
      `worker ${this.name}: ${this.jobs} job(s) at once, ffmpeg ${this.ffmpeg.version}; ` +
        `waiting for runs at ${describeConnection(this.o.connection)}`,
    );
    await this.discover();
    this.timer = setInterval(() => void this.discover().catch((e: Error) => this.trouble(e)), this.o.pollMs ?? 2000);
  }

  /** Take part in runs newly listed; leave runs that ended or went silent. */
  private async discover(): Promise<void> {
    // One look at a time: a slow Redis must not start a second look (and a second BullMQ Worker) meanwhile.
    if (this.closing) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = true;
    try {
      const listed = await listRuns(this.redis);
      for (const [queue, entry] of listed) await this.consider(queue, entry);
      for (const [queue, here] of this.runs) if (!listed.has(queue)) await this.leave(queue, here);
    } finally {
      this.looking = false;
    }
    if (this.lookAgain) {
      this.lookAgain = false;
      await this.discover();
    }
  }

  /**
   * Decide whether to take jobs of the run now listed for a queue; true when taking them. The queue's BullMQ Worker
   * outlives a change of run (a coordinator re-run after a crash): only the dead run's jobs here are stopped.
   */
  private async consider(queue: string, entry: RunEntry): Promise<boolean> {
    const here = this.runs.get(queue);
    if (here && here.entry.runId !== entry.runId) this.cancelRun({ queue, runId: here.entry.runId, why: 'gone' });
    if (Date.now() - entry.heartbeat >= STALE_RUN_MS) {
      if (here) await this.leave(queue, here);
      return false;
    }
    if (here?.worker && here.entry.runId === entry.runId) return true;
    const refused = await this.refusal(entry);
    if (refused) {
      if (here?.refused !== refused) {
        this.log.error(
          { event: 'refuse', queue, outDir: entry.outDir, reason: refused },
          `not taking jobs of the run writing to ${entry.outDir}: ${refused}`,
        );
        await refuseRun(this.redis, queue, this.name, refused);
      }
      if (here?.worker) void here.worker.close().catch(() => undefined);
      this.runs.set(queue, { entry, refused });
      return false;
    }
    // Listed again (Redis restarted and lost the registry until the coordinator's next heartbeat): not gone after all.
    this.gone.delete(entry.runId);
    this.runs.set(queue, { entry, worker: here?.worker ?? this.workerFor(queue) });
    this.log.info(
      { event: 'join', queue, outDir: entry.outDir, coordinator: entry.coordinator },
      `taking jobs of the run writing to ${entry.outDir} (coordinator ${entry.coordinator})`,
    );
    return true;
  }

  /** Why this worker cannot take part in a run, in plain words, or undefined. */
  private async refusal(entry: RunEntry): Promise<string | undefined> {
    const have = { encoder: this.info.encoders, muxer: this.info.muxers, filter: this.info.filters };
    const missing = entry.needs.filter((r) => !have[r.kind].has(r.name));
    if (missing.length) {
      const list = missing.map((r) => `${r.kind} ${r.name} (needed by ${r.neededBy.join(', ')})`).join('; ');
      return `its ffmpeg ${this.info.version} at ${this.ffmpeg.path} lacks ${list}`;
    }
    const problems: string[] = [];
    const check = async (p: string, mode: number, what: string) => {
      const here = mapPath(this.maps, p);
      const seen = here === p ? '' : ` (the coordinator's ${p})`;
      await access(here, mode).catch((e: NodeJS.ErrnoException) =>
        problems.push(`cannot ${what} ${here}${seen}: ${e.code ?? e.message}`),
      );
    };
    for (const s of entry.sources) await check(s, constants.R_OK | constants.X_OK, 'read the source folder');
    await check(entry.outDir, constants.W_OK | constants.X_OK, 'write the output folder');
    return problems.length ? `${problems.join('; ')} (mounted elsewhere here? see --map)` : undefined;
  }

  private workerFor(queue: string): Worker<QueueJobData, QueueReturn> {
    const lockDuration = this.o.lockMs ?? 30_000;
    const w = new Worker<QueueJobData, QueueReturn>(queue, (job, token) => this.process(queue, job, token), {
      connection: bullConnection(this.o.connection, () => this.closing),
      prefix: PREFIX,
      concurrency: this.jobs * 2,
      name: this.name,
      lockDuration,
      stalledInterval: this.o.stalledMs ?? lockDuration,
      // A job may outlive two dead machines; a third stall fails it, reported to the coordinator.
      maxStalledCount: 2,
      drainDelay: 2,
    });
    w.on('error', (e) => this.trouble(e));
    return w;
  }

  private async process(queue: string, job: Job<QueueJobData, QueueReturn>, token?: string): Promise<QueueReturn> {
    const { runId, job: tj } = job.data;
    if (this.runs.get(queue)?.entry.runId !== runId) {
      // A run newer than the last look at the registry (its coordinator just started), or one that is gone.
      const entry = await runOf(this.redis, queue);
      if (entry?.runId !== runId) throw new Error('its run is gone');
      if (!(await this.consider(queue, entry))) {
        // Refused: back to the queue for another worker, without using up one of its attempts.
        await job.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      }
    }
    const localId = this.nextId++;
    const mine = { runId, localId, stop: false };
    this.active.set(job.id!, mine);
    await this.slot();
    let held = true;
    const release = () => {
      if (held) this.unslot();
      held = false;
    };
    const started = Date.now();
    this.log.info({ event: 'job', job: job.id, source: tj.source.path }, `started ${tj.source.path}`);
    try {
      const ret = await runWorkerJob(tj, {
        pool: this.pool,
        maps: this.maps,
        ffmpeg: this.ffmpeg,
        host: this.name,
        localId,
        retried: job.attemptsStarted > 1 || job.stalledCounter > 0,
        stopped: () => mine.stop,
        released: release,
        progress: (p) => void job.updateProgress(p).catch(() => undefined),
      });
      // Stopped because this worker is shutting down, not because the run was cancelled: thrown, so BullMQ hands
      // the job to another worker (results, even failed ones, are never retried).
      if (this.closing && ret.result.cancelled) throw new Error(`worker ${this.name} stopped`);
      // Redis restarted without persistence lost the job: the coordinator has queued it again, and this result
      // would be handed in for nobody, its outputs left at temp names. The timestamp tells a re-added job from ours.
      const lost = await this.lostByRedis(queue, job);
      if (lost || this.gone.has(runId) || this.runs.get(queue)?.entry.runId !== runId) {
        await removeTemps(
          ...localJob(tj, { maps: this.maps, ffmpeg: this.ffmpeg, localId }, ret.attempt).outputs.flatMap((o) => [
            o.temp,
            o.tagTemp,
          ]),
        );
        throw new Error(lost ? 'its job is gone from Redis' : 'its run is gone');
      }
      const failed = ret.result.outputs.filter((r) => r.status !== 'ok');
      this.log.info(
        {
          event: 'job-done',
          job: job.id,
          source: tj.source.path,
          elapsedMs: Date.now() - started,
          failed: failed.length,
        },
        `${failed.length ? `failed (${failed[0].code}: ${failed[0].message})` : 'made'} ${tj.source.path}`,
      );
      return ret;
    } finally {
      release();
      this.active.delete(job.id!);
    }
  }

  /** Redis no longer holds this job (or holds one re-added under its id). When Redis cannot be asked the job is
   *  taken as still ours, and BullMQ's own hand-in decides. */
  private async lostByRedis(queue: string, job: Job<QueueJobData, QueueReturn>): Promise<boolean> {
    try {
      return (await this.redis.hget(`${PREFIX}:${queue}:${job.id}`, 'timestamp')) !== String(job.timestamp);
    } catch {
      return false;
    }
  }

  private cancelRun(m: RunMessage): void {
    if (m.why === 'started') return void this.discover().catch((e: Error) => this.trouble(e));
    if (m.why === 'gone') this.gone.add(m.runId);
    const here = this.runs.get(m.queue);
    if (m.why !== 'cancelled' && here?.entry.runId === m.runId) void this.leave(m.queue, here).catch(() => undefined);
    for (const a of this.active.values())
      if (a.runId === m.runId) {
        a.stop = true;
        this.pool.cancel(a.localId);
      }
  }

  private slot(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private unslot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.free++;
  }

  private async leave(queue: string, here: RunHere): Promise<void> {
    this.runs.delete(queue);
    if (!here.worker) return;
    this.cancelRun({ queue, runId: here.entry.runId, why: 'gone' });
    await here.worker.close();
    this.log.info({ event: 'leave', queue, outDir: here.entry.outDir }, `left the run writing to ${here.entry.outDir}`);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    for (const a of this.active.values()) {
      a.stop = true;
      this.pool.cancel(a.localId);
    }
    await Promise.allSettled([...this.runs.values()].map((r) => r.worker?.close()));
    await this.pool.close();
    this.sub.disconnect();
    this.redis.disconnect();
  }
}
