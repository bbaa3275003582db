/**
 * The library's options: one table of defaults and one validator, used by convertLibrary
 * and by the CLI, so a bad value gets the same message whichever way it arrives.
 */
import { availableParallelism } from 'node:os';
import { bool, int, objects, oneOf, text, texts, type Check } from '../checks.js';
import { AudiofanError } from '../errors.js';
import { parseProfile, type FsProfile } from '../plan/fs-profile.js';
import { parseLayout } from '../plan/layout.js';
import { maxDeleteCheck, parseMaxDelete, type MaxDelete } from '../plan/delete-guard.js';
import type { ExecutorFactory } from '../transcode/executor.js';

import type { Logger } from '../model.js';
export type { Logger } from '../model.js';

export interface ConvertOptions {
  /** Source folders, walked recursively. Required. */
  sources: string[];
  /** Output folder; outputs go to <output>/<preset-id>/... Required. */
  output: string;
  /** Preset ids. Default: ["mp3-v0", "opus-128"]. */
  presets?: string[];
  /** Jobs (ffmpeg processes) at once. Default: os.availableParallelism(). */
  jobs?: number;
  /** Plan and report the exact ffmpeg commands; write nothing. Default false. */
  dryRun?: boolean;
  /** Re-encode every output even when the manifest says it is up to date. Default false. */
  force?: boolean;
  /** ffmpeg binary. Default: FFMPEG_PATH, ffmpeg-static, PATH, @ffmpeg-installer, in that order. */
  ffmpegPath?: string;
  /** Folders of extra *.json presets; same id overrides a built-in. Default none. */
  presetDirs?: string[];
  /** Presets given as objects (e.g. from a config file). Default none. */
  extraPresets?: unknown[];
  /** Follow symbolic links to folders while scanning. Default false. */
  followSymlinks?: boolean;
  /** Receives structured logs (pino-compatible). Default: silent. */
  logger?: Logger;
  /** Cancels the run: running ffmpeg processes are stopped and the manifest records what finished. */
  signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL for ffmpeg on cancel. Default 2000. */
  killGraceMs?: number;
  /** ID3v2 version for MP3 outputs: 4 (UTF-8, multi-valued frames) or 3 (for old players). Default 4. */
  id3v2Version?: 3 | 4;
  /** Measure EBU R128 loudness and write ReplayGain 2.0 / R128 tags. Default true. */
  loudness?: boolean;
  /** Scale covers larger than this many pixels (either side) down to fit, as JPEG. Default: no limit. */
  artMaxSize?: number;
  /** Output path template, e.g. "{albumartist}/{album}/{disc}-{track:02} {title}". Default: mirror the source tree. */
  layout?: string;
  /** Which filesystems output names must be valid on. Default "universal" (all of them). */
  fsProfile?: FsProfile;
  /** Create the output folder if it does not exist. Default false: a missing folder (an unmounted disk) is an error. */
  create?: boolean;
  /** Delete outputs audiofan made whose source is gone or no longer selected, then empty folders. Default false. */
  delete?: boolean;
  /** Most orphans one run may delete: a count, or "N%" of the outputs. Default "10%" (and never all of them). */
  maxDelete?: number | string;
  /** Re-encode outputs made by another ffmpeg version. Default false: they are kept and reported. */
  reencodeOnEncoderChange?: boolean;
  /** Where jobs run: a factory given the number of jobs at once. Default: a local piscina pool of worker threads. */
  executor?: ExecutorFactory;
  /** Record files found at output paths whose codec and length match the source as audiofan's own. Default false. */
  adopt?: boolean;
}

export const DEFAULTS = {
  presets: ['mp3-v0', 'opus-128'],
  jobs: undefined as number | undefined, // resolved at run time: availableParallelism()
  dryRun: false,
  force: false,
  followSymlinks: false,
  killGraceMs: 2000,
  id3v2Version: 4,
  loudness: true,
  fsProfile: 'universal' as FsProfile,
  create: false,
  delete: false,
  reencodeOnEncoderChange: false,
  adopt: false,
} as const;

export type ResolvedOptions = Required<Omit<ConvertOptions, 'ffmpegPath' | 'logger' | 'signal' | 'artMaxSize' | 'layout' | 'maxDelete' | 'executor'>>
  & Pick<ConvertOptions, 'ffmpegPath' | 'signal' | 'artMaxSize' | 'layout' | 'executor'> & { logger: Logger; maxDelete?: MaxDelete };

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function bad(option: string, why: string): never {
  throw new AudiofanError('E_USAGE', `option ${option}: ${why}`);
}

/** Check one option with the same check the config file uses; undefined means "use the default". */
function check(o: ConvertOptions, key: keyof ConvertOptions, c: Check): void {
  const why = o[key] === undefined ? undefined : c(o[key]);
  if (why) bad(key, why);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

/** Check types and ranges, fill defaults. Throws E_USAGE naming the option. */
export function resolveOptions(o: ConvertOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null) bad('(options)', 'expected an object');
  if (!isStrings(o.sources) || o.sources.length === 0) bad('sources', 'give at least one source folder');
  if (typeof o.output !== 'string' || !o.output) bad('output', 'give an output folder');
  check(o, 'presets', texts);
  const presets = o.presets ?? [...DEFAULTS.presets];
  if (presets.length === 0) bad('presets', 'give at least one preset id');
  check(o, 'jobs', int(1, 256));
  const jobs = o.jobs ?? availableParallelism();
  const killGraceMs = o.killGraceMs ?? DEFAULTS.killGraceMs;
  if (!Number.isFinite(killGraceMs) || killGraceMs < 0) bad('killGraceMs', 'expected a number of milliseconds >= 0');
  for (const key of ['dryRun', 'force', 'followSymlinks', 'loudness', 'create', 'delete'] as const) check(o, key, bool);
  check(o, 'presetDirs', texts);
  check(o, 'extraPresets', objects);
  check(o, 'ffmpegPath', text);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) bad('signal', 'expected an AbortSignal');
  if (o.executor !== undefined && typeof o.executor !== 'function') bad('executor', 'expected a function (slots) => Executor');
  if (o.layout !== undefined) {
    check(o, 'layout', text);
    parseLayout(o.layout); // a syntax error is reported now, naming the problem
  }
  check(o, 'id3v2Version', oneOf(3, 4));
  check(o, 'artMaxSize', int(16, 10000, 'pixels'));
  check(o, 'maxDelete', maxDeleteCheck);
  const maxDelete = o.maxDelete === undefined ? undefined : parseMaxDelete(o.maxDelete);
  for (const k of ['reencodeOnEncoderChange', 'adopt'] as const) check(o, k, bool);
  return {
    sources: o.sources, output: o.output, presets, jobs, killGraceMs,
    dryRun: o.dryRun ?? DEFAULTS.dryRun, force: o.force ?? DEFAULTS.force,
    followSymlinks: o.followSymlinks ?? DEFAULTS.followSymlinks,
    presetDirs: o.presetDirs ?? [], extraPresets: o.extraPresets ?? [],
    ffmpegPath: o.ffmpegPath, signal: o.signal, logger: o.logger ?? silent,
    id3v2Version: o.id3v2Version ?? DEFAULTS.id3v2Version, loudness: o.loudness ?? DEFAULTS.loudness, artMaxSize: o.artMaxSize,
    create: o.create ?? DEFAULTS.create, delete: o.delete ?? DEFAULTS.delete, ...(maxDelete ? { maxDelete } : {}),
    reencodeOnEncoderChange: o.reencodeOnEncoderChange ?? DEFAULTS.reencodeOnEncoderChange, adopt: o.adopt ?? DEFAULTS.adopt,
    ...(o.executor ? { executor: o.executor } : {}),
    fsProfile: o.fsProfile === undefined ? DEFAULTS.fsProfile : parseProfile(o.fsProfile), layout: o.layout,
  };
}
