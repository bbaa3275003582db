/**
 * Decide what a file is from its content (never its extension). ffmpeg, the decoder that will decode it, says which
 * codec its first audio stream holds, and that alone decides lossless master, lossy file or neither (codec-class.ts);
 * music-metadata then reads tags and pictures where it can. The result is data: a lossless source, a skipped file,
 * an ignored file (with the reason) or a failure.
 */
import { lstat, stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { chooseCover, findFolderImage, type CoverRef } from './art.js';
import type { ErrorCode } from '../errors.js';
import { streamInfoFingerprint } from './fingerprint.js';
import { AUDIO_EXT, NOT_AUDIO } from './extensions.js';
import { identifyMedia, type IdentifyError, type MediaInfo, type StreamInfo } from '../ffmpeg/identify.js';
import { codecClass } from './codec-class.js';
import { isWavpackHybrid } from './wavpack.js';
import { masterTags } from './master-tags.js';
import { audioFacts } from './audio-facts.js';
import type { SourceAudio, SourceInfo } from '../model.js';
export type { SourceAudio, SourceInfo } from '../model.js';

export type ProbeResult =
  | { kind: 'lossless'; source: SourceInfo }
  | {
      kind: 'skipped' | 'failed';
      path: string;
      size?: number;
      mtimeMs?: number;
      audio?: SourceAudio;
      code: ErrorCode;
      message: string;
    }
  | { kind: 'ignored'; path: string; size?: number; mtimeMs?: number; reason: string };

/** Folder images by directory: filled from the scan, or looked up on first use. */
export type FolderImageCache = Map<string, CoverRef | undefined | Promise<CoverRef | undefined>>;

/** What probing needs from the run: the ffmpeg that will decode. */
export interface ProbeContext {
  ffmpegPath: string;
  /** How long ffmpeg may take to identify one file. Default IDENTIFY_TIMEOUT_MS (30 s). */
  timeoutMs?: number;
  folderImages?: FolderImageCache;
}

/** Extensions that name one kind of content (file-type reports the first of each). */
const FAMILIES = [
  'mkv mka webm',
  'aif aiff aifc',
  'wav wave bwf rf64',
  'mp4 m4a m4b alac',
  'ogg oga opus',
  'flac fla',
].map((f) => f.split(' '));
function sameFamily(ext: string, content: string): boolean {
  return ext === content || FAMILIES.some((f) => f.includes(ext) && f.includes(content));
}

/** Still-image codecs: a video stream in one of these is a cover picture (ffmpeg 4.1 does not mark FLAC's). */
const IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'tiff', 'webp', 'jpeg2000', 'jpegls', 'ljpeg']);

type Base = { path: string; size: number; mtimeMs: number };

/** Probe one file. Never throws: every outcome, good or bad, is a ProbeResult naming the file. */
export async function probeFile(path: string, ctx: ProbeContext): Promise<ProbeResult> {
  const ext = extname(path).toLowerCase();
  if (NOT_AUDIO.has(ext)) return { kind: 'ignored', path, reason: `not audio (a ${ext} file)` };
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    const dangling = await lstat(path).then(
      (l) => l.isSymbolicLink(),
      () => false,
    );
    const why = dangling ? 'it is a symbolic link to a missing file' : (e as Error).message;
    return { kind: 'failed', path, code: 'E_SOURCE_UNREADABLE', message: `${path}: cannot read: ${why}` };
  }
  const base: Base = { path, size: st.size, mtimeMs: st.mtimeMs };
  if (st.size === 0) {
    return AUDIO_EXT.has(ext)
      ? { kind: 'failed', ...base, code: 'E_SOURCE_EMPTY', message: `${path}: the file is empty (0 bytes)` }
      : { kind: 'ignored', ...base, reason: 'empty file' };
  }
  let type: Awaited<ReturnType<typeof fileTypeFromFile>>;
  try {
    type = await fileTypeFromFile(path);
  } catch (e) {
    const message = `${path}: cannot read: ${(e as Error).message}`;
    return { kind: 'failed', ...base, code: 'E_SOURCE_UNREADABLE', message };
  }
  const looksAudio =
    type !== undefined &&
    (type.mime.startsWith('audio/') ||
      ['video/mp4', 'video/x-matroska', 'video/ogg', 'application/ogg', 'video/x-ms-asf'].includes(type.mime));
  if (!looksAudio && !AUDIO_EXT.has(ext))
    return { kind: 'ignored', ...base, reason: `not audio (content: ${type?.mime ?? 'not a known media format'})` };
  const what = type ? `content looks like ${type.mime}` : 'content is not a recognised audio format';
  let info: MediaInfo;
  try {
    info = await identifyMedia(ctx.ffmpegPath, path, ctx.timeoutMs);
  } catch (e) {
    const err = e as IdentifyError;
    return err.kind === 'invalid'
      ? {
          kind: 'failed',
          ...base,
          code: 'E_SOURCE_CORRUPT',
          message: `${path}: not readable as audio (${what}): ${err.message}`,
        }
      : { kind: 'failed', ...base, code: 'E_SOURCE_PROBE_FAILED', message: `${path}: ${err.message}` };
  }
  const lied =
    type && AUDIO_EXT.has(ext) && !sameFamily(ext.slice(1), type.ext)
      ? ` (its extension says ${ext} but the content is ${type.ext})`
      : '';
  return classify(path, base, info, lied, what, ctx);
}

async function classify(
  path: string,
  base: Base,
  info: MediaInfo,
  lied: string,
  what: string,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const stream = info.streams.find((s) => s.type === 'audio');
  const video = info.streams.find((s) => s.type === 'video' && !s.attachedPic && !IMAGE_CODECS.has(s.codec));
  if (!stream) {
    const message = `${path}: not readable as audio (${what}): ffmpeg finds no audio stream in it (${info.format})`;
    return AUDIO_EXT.has(extname(path).toLowerCase())
      ? { kind: 'failed', ...base, code: 'E_SOURCE_CORRUPT', message }
      : { kind: 'ignored', ...base, reason: `no audio stream (${info.format})` };
  }
  // A film's soundtrack is not a music master, whatever its codec.
  if (video) return { kind: 'ignored', ...base, reason: `a video (${video.codec}), not a music file` };
  let cls = codecClass(stream.codec);
  const hybrid = stream.codec === 'wavpack' && (await isWavpackHybrid(path).catch(() => false));
  if (hybrid) cls = 'lossy';
  const audio = audioFacts(info, stream);
  if (cls === 'lossy') {
    const codec = hybrid
      ? 'WavPack hybrid (lossy without its .wvc correction file, which ffmpeg does not read)'
      : stream.codec;
    const message = `${path}: ${codec} is lossy audio${lied}; only lossless sources are converted`;
    return { kind: 'skipped', ...base, audio, code: 'E_SOURCE_LOSSY', message };
  }
  if (!audio.sampleRate || !audio.channels) {
    const message = `${path}: not readable as audio (${what}): ffmpeg finds no sample rate or channel count in its ${stream.codec} stream`;
    return { kind: 'failed', ...base, audio, code: 'E_SOURCE_CORRUPT', message };
  }
  return { kind: 'lossless', source: await master(path, base, info, stream, audio, lied, ctx) };
}

/** A lossless master: its facts, tags, cover and fingerprint. */
async function master(
  path: string,
  base: Base,
  info: MediaInfo,
  stream: StreamInfo,
  audio: SourceAudio,
  lied: string,
  ctx: ProbeContext,
): Promise<SourceInfo> {
  const warnings = lied ? [`extension does not match content${lied}`] : [];
  const read = await masterTags(path, info, stream);
  warnings.push(...read.warnings);
  if (audio.duration === undefined && read.duration !== undefined) audio.duration = read.duration;
  if (audio.duration === undefined) warnings.push('headers give no duration; truncation cannot be detected');
  const folderImages = ctx.folderImages ?? new Map();
  const dir = dirname(path);
  if (!folderImages.has(dir)) folderImages.set(dir, findFolderImage(dir));
  const cover = chooseCover(read.pictures, await folderImages.get(dir));
  const fingerprint = stream.codec === 'flac' ? await streamInfoFingerprint(path).catch(() => undefined) : undefined;
  return {
    ...audio,
    ...base,
    tags: read.tags,
    ...(cover ? { cover } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    warnings,
  };
}
