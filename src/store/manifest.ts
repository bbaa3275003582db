/**
 * The manifest: what was made, from what, how, and what failed. Written atomically by the
 * coordinator only; its shape is src/schemas/manifest.schema.json (manifestVersion 1).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { AudiofanError, type ErrorCode } from '../errors.js';
import { ioReason } from './io-errors.js';
import { JOURNAL_NAME } from './journal.js';
import { show } from '../run/checks.js';
import { manifestProblem } from './manifest-check.js';
import { toolVersion } from '../version.js';
import type { CoverRef } from '../sources/art.js';
import type { GainSet, TrackLoudness } from '../tagging/loudness.js';
import type { SourceAudio } from '../sources/probe.js';
import type { TagEntries } from '../tagging/vorbis-comment.js';

export const MANIFEST_NAME = 'audiofan-manifest.json';
export const MANIFEST_VERSION = 1;

export type Status = 'ok' | 'failed' | 'skipped';

export interface ManifestOutput {
  preset: string;
  presetHash: string;
  /** Relative to the output folder. */
  path: string;
  status: Status;
  /** encoded: made by this run; retagged: only its tags rewritten this run; kept: already up to date; none: not made. */
  action: 'encoded' | 'retagged' | 'kept' | 'none';
  reason: string;
  ffmpegVersion: string;
  size?: number;
  mtimeMs?: number;
  duration?: number;
  /** Average bitrate in bits per second. */
  bitrate?: number;
  codec?: string;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  elapsedMs?: number;
  code?: ErrorCode;
  message?: string;
  stderrTail?: string;
  warnings?: string[];
  /** Hash of the tags and art the file carries (see tagging/compose.ts). */
  tagsHash?: string;
  /** Loudness values written into its tags. */
  gains?: GainSet;
}

export interface ManifestSource extends Partial<SourceAudio> {
  path: string;
  root?: string;
  rel?: string;
  size?: number;
  mtimeMs?: number;
  status: Status;
  code?: ErrorCode;
  message?: string;
  /** Seconds of audio ffmpeg actually decoded, when it was decoded this run or before. */
  decodedDuration?: number;
  /** Every tag, as canonical [KEY, value] entries. */
  tags?: TagEntries;
  cover?: CoverRef;
  /** Identifies the audio independently of tags: equal on a changed file means only tags changed. */
  fingerprint?: string;
  /** EBU R128 measurement of the source (with its gating-block histogram, for album loudness). */
  loudness?: TrackLoudness;
  warnings?: string[];
  outputs: ManifestOutput[];
}

export interface RunSummary {
  sources: number;
  lossless: number;
  skippedSources: number;
  failedSources: number;
  ignoredFiles: number;
  outputsEncoded: number;
  outputsKept: number;
  outputsRetagged: number;
  outputsFailed: number;
  /** Outputs audiofan made whose source is gone or no longer selected: deleted with --delete, else listed. */
  orphans: number;
  orphansDeleted: number;
  /** Folders or links the scan could not look into (unreadable, dangling, an empty source folder). */
  scanProblems?: number;
  /** Outputs kept although another ffmpeg version made them (see --reencode-on-encoder-change). */
  encoderChanged?: number;
  /** Why --delete deleted nothing this run, when it refused. */
  deleteRefused?: string;
  /** Seconds of source audio converted this run. */
  audioSeconds: number;
  wallSeconds: number;
}

export interface Manifest {
  manifestVersion: typeof MANIFEST_VERSION;
  tool: { name: 'audiofan'; version: string };
  ffmpeg: { path: string; version: string; source: string };
  options: Record<string, unknown>;
  /** The source folders as found, by position: their devices tell a mounted share from its empty mount point. */
  roots?: { path: string; dev: number; files: number }[];
  /** What the scan could not look into, with the reason. */
  problems?: { path: string; kind: string; reason: string }[];
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  summary: RunSummary;
  sources: ManifestSource[];
}

/**
 * The previous run's manifest. None: {}. Unparsable (cut short): a warning, and everything is redone.
 * Parsed but not one this build can use: thrown, so it is never silently replaced by an older or
 * confused run: E_MANIFEST_NEWER when a newer audiofan wrote it, else E_MANIFEST_INVALID naming
 * the file and its first bad entry.
 */
export async function readManifest(outDir: string): Promise<{ manifest?: Manifest; warning?: string }> {
  const path = join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AudiofanError('E_MANIFEST_INVALID', `${path}: cannot be read (${(e as Error).message})`, { file: path, cause: e });
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return { warning: `${path}: unreadable manifest (${(e as Error).message}); everything is redone` };
  }
  const version = (m as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > MANIFEST_VERSION) {
    throw new AudiofanError('E_MANIFEST_NEWER', `${path}: written by a newer audiofan (manifest version ${version}; this audiofan `
      + `${toolVersion()} knows version ${MANIFEST_VERSION}); an older audiofan must not replace it: upgrade audiofan`, { file: path });
  }
  const problem = version !== MANIFEST_VERSION ? `/manifestVersion: expected ${MANIFEST_VERSION}, got ${show(version)}` : manifestProblem(m);
  if (problem) {
    throw new AudiofanError('E_MANIFEST_INVALID', `${path} is not a valid audiofan manifest: ${problem}. It was left as it is; `
      + 'move it away to start over (audiofan then treats the files already in the folder as not its own)', { file: path });
  }
  return { manifest: m as Manifest };
}

/**
 * Write the manifest atomically; returns its path. Throws E_MANIFEST_WRITE (a full disk, say): the
 * previous manifest is then untouched, and the caller must keep the journal, which still holds this
 * run's finished outputs for the next run to fold in.
 */
export async function writeManifest(outDir: string, manifest: Manifest): Promise<string> {
  const path = join(outDir, MANIFEST_NAME);
  try {
    // Compact: a 10,000-track manifest is tens of MB pretty-printed, and it is read by programs (jq).
    await writeFileAtomic(path, JSON.stringify(manifest) + '\n');
  } catch (e) {
    const journal = join(outDir, JOURNAL_NAME);
    throw new AudiofanError('E_MANIFEST_WRITE', `${path}: cannot write the manifest: ${ioReason(e)}; the previous manifest`
      + ` is kept and the journal ${journal} keeps this run's outputs for the next run`, { file: path, cause: e });
  }
  return path;
}
