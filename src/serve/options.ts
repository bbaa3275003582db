/**
 * `audiofan serve` settings: their defaults and the checks at the public boundary (createServer), with
 * messages naming the option. The CLI reads its flags into this shape; the library validates it here.
 */
import { availableParallelism } from 'node:os';
import { AudiofanError } from '../errors.js';
import type { Logger } from '../model.js';

export interface ServeOptions {
  /** Lossless source folders (only ever read). */
  sources: string[];
  /** Cache folder for encoded outputs (created if missing). */
  cache: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; any other address needs `token`. */
  host?: string;
  /** Access token: a login page sets a cookie, scripts send `Authorization: Bearer <token>`. */
  token?: string;
  /** Cache size bound in bytes, least recently used evicted first. Default 20 GB. */
  cacheMax?: number;
  /** Encodes at once (ffmpeg processes). Default: CPU count. */
  jobs?: number;
  /** Encodes waiting beyond the running ones before requests get 503. Default 4 × jobs. */
  queueMax?: number;
  /** Batch output folders whose manifest-recorded outputs are served as they are. */
  seed?: string[];
  /** Rescan the sources every N seconds. Default: never (signal or POST /api/rescan). */
  rescanInterval?: number;
  presetDirs?: string[];
  ffmpegPath?: string;
  /** Measure loudness and write ReplayGain / R128 track gains. Default true. */
  loudness?: boolean;
  logger?: Logger;
}

export type ResolvedServeOptions = Required<Omit<ServeOptions, 'token' | 'ffmpegPath' | 'rescanInterval' | 'logger'>> &
  Pick<ServeOptions, 'token' | 'ffmpegPath' | 'rescanInterval'> & { logger: Logger };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopback = (host: string) => LOOPBACK.has(host) || /^127\./.test(host);

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** "20GB", "500M", "1.5 GiB", or bytes; undefined when unreadable. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const binary =
    m[3]?.toLowerCase() === 'ib' ? { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 } : undefined;
  return Math.floor(Number(m[1]) * (binary ? binary[m[2].toLowerCase() as 'k'] : unit));
}

const usage = (message: string) => new AudiofanError('E_USAGE', message);
const intIn = (name: string, v: unknown, min: number, max: number) => {
  if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max))
    throw usage(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
};

/** Defaults applied and every value checked; throws E_USAGE naming the option. */
export function resolveServeOptions(o: ServeOptions): ResolvedServeOptions {
  if (!Array.isArray(o.sources) || !o.sources.length || o.sources.some((s) => typeof s !== 'string' || !s))
    throw usage('sources: give at least one source folder');
  if (typeof o.cache !== 'string' || !o.cache) throw usage('cache: give a cache folder (--cache <dir>)');
  intIn('port', o.port, 0, 65535);
  intIn('jobs', o.jobs, 1, 256);
  intIn('queueMax', o.queueMax, 0, 100_000);
  intIn('rescanInterval', o.rescanInterval, 1, 86_400 * 365);
  if (o.cacheMax !== undefined && !(Number.isFinite(o.cacheMax) && o.cacheMax > 0))
    throw usage(`cacheMax: expected a size in bytes above 0, got ${JSON.stringify(o.cacheMax)}`);
  const host = o.host ?? '127.0.0.1';
  const token = o.token || undefined;
  if (token !== undefined && token.length < 8) throw usage('token: use at least 8 characters');
  if (!isLoopback(host) && !token)
    throw usage(
      `host ${host}: serving beyond this machine needs an access token (--token or AUDIOFAN_TOKEN); ` +
        'without one only 127.0.0.1 is allowed',
    );
  const jobs = o.jobs ?? availableParallelism();
  return {
    sources: o.sources,
    cache: o.cache,
    port: o.port ?? 8080,
    host,
    token,
    cacheMax: o.cacheMax ?? 20e9,
    jobs,
    queueMax: o.queueMax ?? jobs * 4,
    seed: o.seed ?? [],
    rescanInterval: o.rescanInterval,
    presetDirs: o.presetDirs ?? [],
    ffmpegPath: o.ffmpegPath,
    loudness: o.loudness ?? true,
    logger: o.logger ?? silent,
  };
}
