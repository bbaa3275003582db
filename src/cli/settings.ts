/**
 * Where the CLI's settings come from, in one place: defaults < config file < environment < flags.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { AudiofanError } from '../errors.js';
import { maxDeleteCheck } from '../plan/delete-guard.js';
import { DEFAULTS, type ConvertOptions } from '../run/options.js';
import { FS_PROFILES, parseProfile, type FsProfile } from '../plan/fs-profile.js';
import { bool, ids, int, objects, oneOf, text, texts, type Check } from '../checks.js';

/** The settings a conversion run takes from the command line, config file and environment. */
export interface Settings {
  output?: string;
  presets: string[];
  jobs?: number;
  presetDirs: string[];
  extraPresets: unknown[];
  ffmpegPath?: string;
  followSymlinks: boolean;
  force: boolean;
  id3v2Version?: 3 | 4;
  loudness: boolean;
  artMaxSize?: number;
  layout?: string;
  fsProfile?: FsProfile;
  maxDelete?: string;
  reencodeOnEncoderChange: boolean;
}

/** The config file's shape (JSON): every key optional. */
export interface ConfigFile {
  output?: string;
  presets?: string[] | string;
  jobs?: number;
  presetDirs?: string[];
  /** Preset objects defined inline, same fields as presets/*.json. */
  definePresets?: unknown[];
  ffmpeg?: string;
  followSymlinks?: boolean;
  id3v2?: 3 | 4;
  loudness?: boolean;
  artMaxSize?: number;
  layout?: string;
  fsProfile?: string;
  maxDelete?: string | number;
  reencodeOnEncoderChange?: boolean;
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);

/** Every config key and the check its value must pass: the one place a config file's shape is decided. */
const CONFIG_KEYS: Record<keyof ConfigFile, Check> = {
  output: text,
  presets: ids,
  jobs: int(1, 256),
  presetDirs: texts,
  definePresets: objects,
  ffmpeg: text,
  followSymlinks: bool,
  id3v2: oneOf(3, 4),
  loudness: bool,
  artMaxSize: int(16, 10000, 'pixels'),
  layout: text,
  fsProfile: oneOf(...FS_PROFILES),
  maxDelete: maxDeleteCheck,
  reencodeOnEncoderChange: bool,
};

/** A config file is a few hundred bytes; anything near this is a mistake (a log, a music file). */
export const MAX_CONFIG_BYTES = 1 << 20;

function configError(file: string, why: string, cause?: unknown): AudiofanError {
  return new AudiofanError('E_CONFIG_INVALID', `config file ${file}: ${why}`, { file, ...(cause ? { cause } : {}) });
}

/** Read a config file's text: only a regular file, and only up to MAX_CONFIG_BYTES (--config /dev/zero must not hang). */
function readConfigText(file: string): string {
  let fd: number;
  try {
    // stat first: opening a FIFO for reading would block until something writes to it.
    if (!statSync(file).isFile()) throw configError(file, 'not a regular file (a device, pipe or folder cannot be a config file)');
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw (e instanceof AudiofanError ? e : configError(file, (e as Error).message, e));
  }
  try {
    if (!fstatSync(fd).isFile()) throw configError(file, 'not a regular file');
    // Read to the end (files in /proc say size 0) but never past the cap.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_CONFIG_BYTES) throw configError(file, `larger than ${MAX_CONFIG_BYTES} bytes; a config file is a small JSON object`);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    throw (e instanceof AudiofanError ? e : configError(file, (e as Error).message, e));
  } finally {
    closeSync(fd);
  }
}

function readConfig(file: string): ConfigFile {
  let data: unknown;
  try {
    data = JSON.parse(readConfigText(file));
  } catch (e) {
    throw (e instanceof AudiofanError ? e : configError(file, `not valid JSON: ${(e as Error).message}`, e));
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw configError(file, 'expected a JSON object');
  const known = Object.keys(CONFIG_KEYS);
  const unknown = Object.keys(data).filter((k) => !known.includes(k) && k !== '$schema');
  if (unknown.length) throw configError(file, `unknown key(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  for (const [key, value] of Object.entries(data)) {
    const why = key === '$schema' ? undefined : CONFIG_KEYS[key as keyof ConfigFile](value);
    if (why) throw configError(file, `"${key}": ${why}`);
  }
  return data as ConfigFile;
}

export interface Flags {
  output?: string;
  presets?: string;
  jobs?: string;
  presetsDir?: string[];
  ffmpeg?: string;
  followSymlinks?: boolean;
  force?: boolean;
  config?: string;
  id3v2?: string;
  /** commander's --no-loudness sets this false. */
  loudness?: boolean;
  artMaxSize?: string;
  layout?: string;
  fsProfile?: string;
  maxDelete?: string;
  reencodeOnEncoderChange?: boolean;
}

function parseJobs(v: string, from: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AudiofanError('E_USAGE', `${from}: expected a whole number of jobs >= 1, got "${v}"`);
  return n;
}

function parseId3(v: string, from: string): 3 | 4 {
  if (v !== '3' && v !== '4') throw new AudiofanError('E_USAGE', `${from}: expected 3 or 4, got "${v}"`);
  return Number(v) as 3 | 4;
}

function parsePixels(v: string, from: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16 || n > 10000) throw new AudiofanError('E_USAGE', `${from}: expected a whole number of pixels from 16 to 10000, got "${v}"`);
  return n;
}

/** Merge the layers. FFMPEG_PATH is read by the ffmpeg locator itself, after --ffmpeg. */
export function resolveSettings(flags: Flags, env: NodeJS.ProcessEnv = process.env): Settings {
  const configPath = flags.config ?? env.AUDIOFAN_CONFIG;
  const cfg = configPath ? readConfig(configPath) : {};
  const s: Settings = { presets: [...DEFAULTS.presets], presetDirs: [], extraPresets: [], followSymlinks: false, force: false, loudness: true,
    reencodeOnEncoderChange: false };
  // config file (every value already checked by readConfig)
  if (cfg.output) s.output = cfg.output;
  if (cfg.presets) s.presets = list(cfg.presets);
  if (cfg.jobs !== undefined) s.jobs = cfg.jobs;
  if (cfg.presetDirs) s.presetDirs = cfg.presetDirs;
  if (cfg.definePresets) s.extraPresets = cfg.definePresets;
  if (cfg.ffmpeg) s.ffmpegPath = cfg.ffmpeg;
  if (cfg.followSymlinks !== undefined) s.followSymlinks = cfg.followSymlinks;
  if (cfg.id3v2 !== undefined) s.id3v2Version = cfg.id3v2;
  if (cfg.loudness !== undefined) s.loudness = cfg.loudness;
  if (cfg.layout !== undefined) s.layout = cfg.layout;
  if (cfg.fsProfile !== undefined) s.fsProfile = parseProfile(cfg.fsProfile);
  if (cfg.artMaxSize !== undefined) s.artMaxSize = cfg.artMaxSize;
  if (cfg.maxDelete !== undefined) s.maxDelete = String(cfg.maxDelete);
  if (cfg.reencodeOnEncoderChange !== undefined) s.reencodeOnEncoderChange = cfg.reencodeOnEncoderChange;
  // environment
  if (env.AUDIOFAN_PRESETS) s.presets = list(env.AUDIOFAN_PRESETS);
  if (env.AUDIOFAN_JOBS) s.jobs = parseJobs(env.AUDIOFAN_JOBS, 'AUDIOFAN_JOBS');
  if (env.AUDIOFAN_PRESETS_DIR) s.presetDirs = [...s.presetDirs, ...env.AUDIOFAN_PRESETS_DIR.split(':').filter(Boolean)];
  // flags
  if (flags.output) s.output = flags.output;
  if (flags.presets) s.presets = list(flags.presets);
  if (flags.jobs) s.jobs = parseJobs(flags.jobs, '--jobs');
  if (flags.presetsDir) s.presetDirs = [...s.presetDirs, ...flags.presetsDir];
  if (flags.ffmpeg) s.ffmpegPath = flags.ffmpeg;
  if (flags.followSymlinks) s.followSymlinks = true;
  if (flags.force) s.force = true;
  if (flags.id3v2) s.id3v2Version = parseId3(flags.id3v2, '--id3v2');
  if (flags.loudness === false) s.loudness = false;
  if (flags.artMaxSize) s.artMaxSize = parsePixels(flags.artMaxSize, '--art-max-size');
  if (flags.layout) s.layout = flags.layout;
  if (flags.fsProfile) s.fsProfile = parseProfile(flags.fsProfile);
  if (flags.maxDelete) s.maxDelete = flags.maxDelete;
  if (flags.reencodeOnEncoderChange) s.reencodeOnEncoderChange = true;
  return s;
}

/** The library options for a conversion run. */
export function toConvertOptions(s: Settings, sources: string[]): ConvertOptions {
  if (!s.output) throw new AudiofanError('E_USAGE', 'no output folder: give -o DIR (or "output" in the config file)');
  return {
    sources, output: s.output, presets: s.presets, jobs: s.jobs, presetDirs: s.presetDirs,
    extraPresets: s.extraPresets, ffmpegPath: s.ffmpegPath, followSymlinks: s.followSymlinks, force: s.force,
    loudness: s.loudness, reencodeOnEncoderChange: s.reencodeOnEncoderChange, ...(s.maxDelete ? { maxDelete: s.maxDelete } : {}), ...(s.layout ? { layout: s.layout } : {}), ...(s.fsProfile ? { fsProfile: s.fsProfile } : {}), ...(s.id3v2Version ? { id3v2Version: s.id3v2Version } : {}), ...(s.artMaxSize ? { artMaxSize: s.artMaxSize } : {}),
  };
}
