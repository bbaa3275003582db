/**
 * The on-demand encode cache: files named by their key (master identity + preset hash + ffmpeg version),
 * an index of size and last use kept beside them (written atomically), bounded by size with the least
 * recently used evicted first. It survives restarts: the index is read back and checked against the files.
 * Only names this cache makes are ever deleted inside its folder.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepStaleTemps, writeFileAtomic } from '../store/atomic.js';
import { statOrUndefined as statOrNone } from '../sources/scan.js';
import type { Logger } from '../model.js';

export interface CacheEntry {
  key: string;
  /** File name inside the cache's files folder. */
  file: string;
  size: number;
  trackId: string;
  preset: string;
  lastUsed: number;
}

const INDEX = 'index.json';
const FILE_RE = /^[0-9a-f]{64}\.[a-z0-9]{1,8}$/;

/** The cache key of one output: what it is made from, with what, by which ffmpeg. */
export function cacheKey(identity: string, presetHash: string, ffmpegVersion: string): string {
  return createHash('sha256').update(`${identity}\0${presetHash}\0${ffmpegVersion}`).digest('hex');
}

export class OutputCache {
  readonly filesDir: string;
  private readonly entries = new Map<string, CacheEntry>();
  private total = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly log: Logger,
  ) {
    this.filesDir = join(dir, 'files');
  }

  /** Read the index back; drop entries whose file is gone or changed, and files no entry names. */
  async open(): Promise<void> {
    await mkdir(this.filesDir, { recursive: true });
    await sweepStaleTemps(this.filesDir);
    let saved: CacheEntry[] = [];
    try {
      saved = JSON.parse(readFileSync(join(this.dir, INDEX), 'utf8')).entries ?? [];
    } catch {
      // No index, or a damaged one: the files are then unknown and removed below, never trusted.
    }
    for (const e of saved) {
      if (typeof e?.key !== 'string' || !FILE_RE.test(e.file ?? '') || !e.file.startsWith(e.key)) continue;
      const st = statOrNone(join(this.filesDir, e.file));
      if (st?.isFile() && st.size === e.size) this.put(e);
    }
    for (const name of await readdir(this.filesDir)) {
      if (FILE_RE.test(name) && !this.entries.has(name.split('.')[0]))
        await rm(join(this.filesDir, name), { force: true });
    }
    await this.evict();
  }

  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The entry for a key, marked as used now; undefined when missing (or its file vanished). */
  get(key: string): (CacheEntry & { path: string }) | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const path = join(this.filesDir, e.file);
    if (statOrNone(path)?.size !== e.size) {
      this.drop(key);
      return undefined;
    }
    e.lastUsed = Date.now();
    this.scheduleSave();
    return { ...e, path };
  }

  /** The entry without marking it used (sizes for the page). */
  peek(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Where a new output for `key` goes. */
  pathFor(key: string, extension: string): string {
    return join(this.filesDir, `${key}.${extension}`);
  }

  /** Record a file just published at pathFor(key); evicts older entries beyond the bound (never this one). */
  async add(e: Omit<CacheEntry, 'lastUsed'>): Promise<void> {
    this.put({ ...e, lastUsed: Date.now() });
    await this.evict(e.key);
    this.scheduleSave();
  }

  /** Remove every entry of a track except those with the given keys (its master changed). */
  async invalidateTrack(trackId: string, keep: Set<string> = new Set()): Promise<number> {
    const stale = [...this.entries.values()].filter((e) => e.trackId === trackId && !keep.has(e.key));
    for (const e of stale) await this.remove(e.key);
    if (stale.length) this.scheduleSave();
    return stale.length;
  }

  /** Write the index now (at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.save();
  }

  private put(e: CacheEntry) {
    this.drop(e.key);
    this.entries.set(e.key, e);
    this.total += e.size;
  }

  private drop(key: string) {
    const old = this.entries.get(key);
    if (old) this.total -= old.size;
    this.entries.delete(key);
  }

  private async remove(key: string) {
    const e = this.entries.get(key);
    if (!e) return;
    this.drop(key);
    // A response still reading it keeps its open descriptor: unlinking never cuts a download short.
    await rm(join(this.filesDir, e.file), { force: true });
  }

  /** Least recently used first, until the cache fits (the entry just added is kept even if alone too big). */
  private async evict(protect?: string): Promise<void> {
    if (this.total <= this.maxBytes) return;
    const lru = [...this.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed);
    for (const e of lru) {
      if (this.total <= this.maxBytes) break;
      if (e.key === protect) continue;
      await this.remove(e.key);
      this.log.info({ event: 'evict', key: e.key, size: e.size }, `cache: evicted ${e.file}`);
    }
  }

  private scheduleSave() {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, 500);
    this.saveTimer.unref();
  }

  private save(): Promise<void> {
    const entries = [...this.entries.values()];
    this.saving = this.saving.then(() =>
      writeFileAtomic(join(this.dir, INDEX), JSON.stringify({ version: 1, entries })).catch((e) =>
        this.log.warn({ event: 'cache-index', error: (e as Error).message }, 'cache index not written'),
      ),
    );
    return this.saving;
  }
}
