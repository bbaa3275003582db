/**
 * `createServer`: the library served over HTTP for browsing and on-demand downloads. Checks the options,
 * ffmpeg and the source folders, opens the cache, scans the library, then answers; `close` stops
 * accepting, cancels the encodes in flight (no ffmpeg outlives it, temporaries removed) and writes the
 * cache index.
 */
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { AudiofanError } from '../errors.js';
import { inspectFfmpeg } from '../ffmpeg/adapter.js';
import { assertCapabilities } from '../ffmpeg/capabilities.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { loadPresets, type Preset } from '../presets/presets.js';
import { checkSource } from '../sources/scan.js';
import { overlap } from '../store/contain.js';
import { localPool } from '../transcode/local-pool.js';
import { authHook } from './auth.js';
import { OutputCache } from './cache.js';
import type { RescanResult, ServeContext } from './context.js';
import { Encoder } from './encoder.js';
import { Library } from './library.js';
import { resolveServeOptions, type ServeOptions } from './options.js';
import { registerPage } from './page.js';
import { registerApi, registerDownloads } from './routes.js';
import { Seeds } from './seed.js';

export type { ServeOptions } from './options.js';
export type { RescanResult } from './context.js';

export interface AudiofanServer {
  /** The Fastify app (for embedding: inject, extra routes before listen). */
  app: FastifyInstance;
  /** The Node HTTP server. */
  server: Server;
  /** Start listening; resolves with the URL. */
  listen(): Promise<string>;
  /** Scan the sources again; changed masters lose their cached outputs. */
  rescan(): Promise<RescanResult>;
  /** Stop accepting, cancel encodes, remove temporaries, write the cache index. */
  close(): Promise<void>;
  /** Encodes started since start, cache size, encodes running and waiting. */
  stats(): { encodesStarted: number; cacheBytes: number; cacheFiles: number; running: number; queued: number };
}

/** How long ffmpeg gets between SIGTERM and SIGKILL when an encode is cancelled. */
const KILL_GRACE_MS = 2000;

/** Presets this ffmpeg can make; the others are left off the offer (and named in the log). */
function usablePresets(all: Preset[], check: (p: Preset) => void, log: ServeContext['log']): Map<string, Preset> {
  const ok = new Map<string, Preset>();
  for (const p of all) {
    try {
      check(p);
      ok.set(p.id, p);
    } catch (e) {
      log.warn({ event: 'preset', preset: p.id, error: (e as Error).message }, `preset ${p.id} not offered`);
    }
  }
  return ok;
}

export async function createServer(options: ServeOptions): Promise<AudiofanServer> {
  const o = resolveServeOptions(options);
  const log = o.logger;
  const roots = o.sources.map((s) => resolve(s));
  const cacheDir = resolve(o.cache);
  for (const r of roots) {
    checkSource(r);
    const rel = overlap(cacheDir, r);
    if (rel)
      throw new AudiofanError('E_OUTPUT_INSIDE_SOURCE', `cache folder ${cacheDir} and source folder ${r}: ${rel}`, {
        file: cacheDir,
      });
  }
  const located = locateFfmpeg(o.ffmpegPath);
  const info = await inspectFfmpeg(located.path);
  const all = [...loadPresets({ dirs: o.presetDirs }).values()].sort((a, b) =>
    a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  const presets = usablePresets(all, (p) => assertCapabilities(located, info, [p]), log);
  const cache = new OutputCache(cacheDir, o.cacheMax, log);
  await cache.open();
  const library = new Library(roots, located.path, o.jobs, log);
  await library.rescan();
  const seeds = await Seeds.load(
    o.seed.map((s) => resolve(s)),
    log,
  );
  const executor = localPool(o.jobs);
  const recipe = { soxr: info.soxr };
  const encoder = new Encoder({
    executor,
    cache,
    queueMax: o.queueMax,
    ffmpegPath: located.path,
    recipe,
    tagOptions: { id3Version: 4, loudness: o.loudness },
    killGraceMs: KILL_GRACE_MS,
    log,
  });
  let scanning: Promise<RescanResult> | undefined;
  const rescan = () => {
    scanning ??= (async () => {
      const { changed, gone } = await library.rescan();
      let invalidated = 0;
      for (const t of [...changed, ...gone]) invalidated += await cache.invalidateTrack(t.id);
      return {
        albums: library.albums.length,
        tracks: library.allTracks().length,
        changed: changed.length,
        gone: gone.length,
        invalidated,
      };
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  };
  const ctx: ServeContext = {
    library,
    presets,
    cache,
    encoder,
    seeds,
    ffmpegPath: located.path,
    ffmpegVersion: info.version,
    recipe,
    ...(o.token ? { token: o.token } : {}),
    log,
    rescan,
  };
  // Open connections are closed on shutdown, so a long download cannot hold the process up.
  const app = Fastify({ forceCloseConnections: true, return503OnClosing: true, bodyLimit: 64 * 1024 });
  await app.register(cookie);
  app.addHook('onRequest', authHook(o.token));
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
    return payload;
  });
  registerPage(app, o.token);
  registerApi(app, ctx);
  registerDownloads(app, ctx);
  const timer = o.rescanInterval
    ? setInterval(
        () => void rescan().catch((e) => log.warn({ event: 'scan', error: e.message }, e.message)),
        o.rescanInterval * 1000,
      )
    : undefined;
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    app,
    server: app.server,
    async listen() {
      const url = await app.listen({ port: o.port, host: o.host });
      log.info({ event: 'listening', url }, `serving ${library.albums.length} albums at ${url}`);
      return url;
    },
    rescan,
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await encoder.close();
        await app.close();
        await executor.close();
        await cache.flush();
      })();
      return closing;
    },
    stats: () => ({
      encodesStarted: encoder.started,
      cacheBytes: cache.size,
      cacheFiles: cache.count,
      ...encoder.busy,
    }),
  };
}
