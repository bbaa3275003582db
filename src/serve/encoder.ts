/**
 * Encodes on demand, through the same executor, worker, tags, cover, loudness and verification as batch
 * runs. At most `slots` run at once; up to `queueMax` more wait, beyond that a request is refused (503).
 * Requests for the same output share one encode; when the last one waiting goes away (a client
 * disconnected), its encode is cancelled: ffmpeg is stopped and the temporaries removed.
 *
 *   request ─▶ acquire(key) ─┬─ pending for key? wait for it (coalesced)
 *                            └─ new: queued ─▶ running on the executor ─▶ temp renamed into the cache ─▶ entry
 */
import { rename, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AudiofanError, type ErrorCode } from '../errors.js';
import { outputRecipe, type RecipeContext } from '../plan/recipe.js';
import type { Preset } from '../presets/presets.js';
import { removeTemps } from '../store/atomic.js';
import { OutputFolder } from '../store/contain.js';
import { toTranscodeJob, type TagOptions } from '../transcode/dispatch.js';
import type { Executor } from '../transcode/executor.js';
import type { CacheEntry, OutputCache } from './cache.js';
import type { Track } from './library.js';
import type { Logger, PlannedJob } from '../model.js';

/** Why an encode did not give a file: busy (503), cancelled, or the encode's own failure. */
export class EncodeError extends Error {
  constructor(
    readonly code: ErrorCode | 'E_BUSY',
    message: string,
  ) {
    super(message);
  }
}

export interface EncoderSettings {
  executor: Executor;
  cache: OutputCache;
  queueMax: number;
  ffmpegPath: string;
  recipe: RecipeContext;
  tagOptions: TagOptions;
  killGraceMs: number;
  log: Logger;
}

type Ready = CacheEntry & { path: string };

interface Pending {
  key: string;
  track: Track;
  preset: Preset;
  waiters: number;
  jobId?: number;
  cancelled: boolean;
  promise: Promise<Ready>;
  resolve(e: Ready): void;
  reject(e: Error): void;
}

/** A claim on an output: `ready` gives the cached file; `release` says this caller no longer waits. */
export interface Claim {
  ready: Promise<Ready>;
  release(): void;
}

export class Encoder {
  private readonly pending = new Map<string, Pending>();
  private readonly queue: Pending[] = [];
  /** Outputs that could not be made (a truncated master, say): not tried again until the master changes
   *  (which changes the key). Bounded: the oldest are forgotten first. */
  private readonly failures = new Map<string, EncodeError>();
  private running = 0;
  private nextId = 1;
  private closed = false;
  /** Encodes started (for tests and the bench: a cache hit starts none). */
  started = 0;

  constructor(private readonly s: EncoderSettings) {}

  get busy(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  /** Room for `n` more new encodes (an album zip asks before it starts). */
  hasRoom(n: number): boolean {
    return this.running + this.queue.length + n <= this.s.executor.slots + this.s.queueMax;
  }

  /** The output of `track` in `preset` under `key`: from the cache, a shared encode, or a new one. */
  acquire(track: Track, preset: Preset, key: string): Claim {
    const hit = this.s.cache.get(key);
    if (hit) return { ready: Promise.resolve(hit), release() {} };
    const failed = this.failures.get(key);
    if (failed) {
      const ready = Promise.reject(failed);
      ready.catch(() => undefined);
      return { ready, release() {} };
    }
    let p = this.pending.get(key);
    if (!p) {
      if (this.closed) throw new EncodeError('E_CANCELLED', 'the server is shutting down');
      if (!this.hasRoom(1))
        throw new EncodeError('E_BUSY', `${this.running} encodes running and ${this.queue.length} waiting`);
      p = this.newPending(key, track, preset);
      this.queue.push(p);
      this.pump();
    }
    const claim = p;
    claim.waiters++;
    let released = false;
    return {
      ready: claim.promise,
      release: () => {
        if (released) return;
        released = true;
        if (--claim.waiters === 0) this.abandon(claim);
      },
    };
  }

  /** Refuse new work, drop what waits, stop what runs, and wait until every encode has ended. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) this.fail(p, new EncodeError('E_CANCELLED', 'the server is shutting down'));
    this.s.executor.cancelAll();
    while (this.running > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private newPending(key: string, track: Track, preset: Preset): Pending {
    let resolve!: (e: Ready) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<Ready>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be listening when it fails (every waiter left): that is not an unhandled rejection.
    promise.catch(() => undefined);
    const p: Pending = { key, track, preset, waiters: 0, cancelled: false, promise, resolve, reject };
    this.pending.set(key, p);
    return p;
  }

  private abandon(p: Pending) {
    p.cancelled = true;
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.fail(p, new EncodeError('E_CANCELLED', 'every request for it went away'));
    } else if (p.jobId !== undefined) {
      this.s.log.info({ event: 'cancel', key: p.key }, `encode of ${p.track.source.path} cancelled: nobody waits`);
      this.s.executor.cancel?.(p.jobId);
    }
  }

  private remember(key: string, e: EncodeError) {
    this.failures.set(key, e);
    if (this.failures.size > 1000) this.failures.delete(this.failures.keys().next().value!);
  }

  private fail(p: Pending, e: Error) {
    this.pending.delete(p.key);
    p.reject(e);
  }

  private pump() {
    while (this.running < this.s.executor.slots && this.queue.length) {
      const p = this.queue.shift()!;
      this.running++;
      this.started++;
      this.encode(p)
        .then(
          (e) => {
            this.pending.delete(p.key);
            p.resolve(e);
          },
          (e: Error) => {
            if (e instanceof EncodeError && e.code !== 'E_CANCELLED') this.remember(p.key, e);
            this.fail(p, e);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** One encode job, as the batch builds it (toTranscodeJob), its output published into the cache. */
  private async encode(p: Pending): Promise<Ready> {
    const { cache } = this.s;
    const { source } = p.track;
    const recipe = outputRecipe(p.preset, source, this.s.recipe);
    const final = cache.pathFor(p.key, p.preset.extension);
    const job: PlannedJob = {
      kind: 'encode',
      source,
      outputs: [
        { preset: p.preset, rel: basename(final), decision: { action: 'encode', reason: 'requested' }, ...recipe },
      ],
      measureLoudness: this.s.tagOptions.loudness,
    };
    p.jobId = this.nextId++;
    const tj = toTranscodeJob(p.jobId, job, cache.filesDir, this.s.ffmpegPath, this.s.killGraceMs, this.s.tagOptions);
    const out = tj.outputs[0];
    try {
      const result = await this.s.executor.run(tj, { onTime() {}, onReleased() {} });
      const r = result.outputs[0];
      if (result.cancelled || p.cancelled) throw new EncodeError('E_CANCELLED', `${source.path}: encode cancelled`);
      if (r?.status !== 'ok')
        throw new EncodeError(r?.code ?? 'E_FFMPEG_FAILED', r?.message ?? `${source.path}: encode failed`);
      const outside = new OutputFolder(cache.filesDir).outside(final);
      if (outside) throw new AudiofanError('E_OUTPUT_PATH_UNSAFE', `${final}: not moved into the cache: ${outside}`);
      await rename(out.temp, final);
      const { size } = await stat(final);
      await cache.add({ key: p.key, file: basename(final), size, trackId: p.track.id, preset: p.preset.id });
      this.s.log.info(
        { event: 'encoded', source: source.path, preset: p.preset.id, size, elapsedMs: result.elapsedMs },
        `encoded ${source.path} as ${p.preset.id}`,
      );
      return { ...cache.get(p.key)!, path: final };
    } finally {
      await removeTemps(out.temp, out.tagTemp);
    }
  }
}
