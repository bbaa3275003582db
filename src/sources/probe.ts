/**
 * Decide what a file is from its content (never its extension) and read its audio facts and
 * tags with music-metadata. The result is data: a lossless source, a skipped file or a failure.
 */
import { lstat, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { dirname } from 'node:path';
import { fileTypeFromFile } from 'file-type';
import type { IAudioMetadata } from 'music-metadata';
import { chooseCover, findFolderImage, type CoverRef } from './art.js';
import type { ErrorCode } from '../errors.js';
import { streamInfoFingerprint } from './fingerprint.js';
import { readAudioMetadata, UNSUPPORTED_EXT } from './read-metadata.js';
import { sourceTagEntries } from '../tagging/source-tags.js';
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
  | { kind: 'ignored'; path: string };

/** Extensions we know are not audio: not opened at all (covers, cue sheets, rip logs). */
const NOT_AUDIO = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.gif',
  '.bmp',
  '.webp',
  '.cue',
  '.log',
  '.txt',
  '.nfo',
  '.m3u',
  '.m3u8',
  '.pls',
  '.pdf',
  '.sfv',
  '.md5',
  '.ffp',
  '.accurip',
  '.db',
  '.ini',
  '.json',
  '.xml',
  '.html',
  '.url',
  '.lrc',
]);
/** Extensions that promise audio: if the content is not readable audio, that is a failure, not an ignore. */
const AUDIO_EXT = new Set([
  '.flac',
  '.fla',
  '.wav',
  '.wave',
  '.w64',
  '.aif',
  '.aiff',
  '.aifc',
  '.m4a',
  '.mp4',
  '.alac',
  '.wv',
  '.ape',
  '.tta',
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
  '.aac',
  '.wma',
  '.dsf',
  '.dff',
  '.mka',
  '.caf',
]);

/** Probe one file. Never throws: every outcome, good or bad, is a ProbeResult naming the file. */
/** Folder images by directory: filled from the scan, or looked up on first use. */
export type FolderImageCache = Map<string, CoverRef | undefined | Promise<CoverRef | undefined>>;

export async function probeFile(path: string, folderImages: FolderImageCache = new Map()): Promise<ProbeResult> {
  const ext = extname(path).toLowerCase();
  if (NOT_AUDIO.has(ext)) return { kind: 'ignored', path };
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    const dangling = await lstat(path).then(
      (l) => l.isSymbolicLink(),
      () => false,
    );
    return {
      kind: 'failed',
      path,
      code: 'E_SOURCE_UNREADABLE',
      message: `${path}: cannot read: ${dangling ? 'it is a symbolic link to a missing file' : (e as Error).message}`,
    };
  }
  const base = { path, size: st.size, mtimeMs: st.mtimeMs };
  if (st.size === 0) {
    return AUDIO_EXT.has(ext)
      ? { kind: 'failed', ...base, code: 'E_SOURCE_EMPTY', message: `${path}: the file is empty (0 bytes)` }
      : { kind: 'ignored', path };
  }
  let type: Awaited<ReturnType<typeof fileTypeFromFile>>;
  try {
    type = await fileTypeFromFile(path);
  } catch (e) {
    return {
      kind: 'failed',
      ...base,
      code: 'E_SOURCE_UNREADABLE',
      message: `${path}: cannot read: ${(e as Error).message}`,
    };
  }
  const looksAudio =
    type !== undefined &&
    (type.mime.startsWith('audio/') ||
      ['video/mp4', 'video/x-matroska', 'video/ogg', 'application/ogg'].includes(type.mime));
  if (!looksAudio && !AUDIO_EXT.has(ext)) return { kind: 'ignored', path };
  let meta: IAudioMetadata;
  try {
    meta = await readAudioMetadata(path);
  } catch (e) {
    if (!type && UNSUPPORTED_EXT.has(ext)) {
      return {
        kind: 'failed',
        ...base,
        code: 'E_SOURCE_UNSUPPORTED',
        message: `${path}: ${ext} files cannot be read by music-metadata, which audiofan needs for tags and length`,
      };
    }
    const what = type ? `content looks like ${type.mime}` : 'content is not a recognised audio format';
    return {
      kind: 'failed',
      ...base,
      code: 'E_SOURCE_CORRUPT',
      message: `${path}: not readable as audio (${what}): ${(e as Error).message}`,
    };
  }
  const f = meta.format;
  const audio: SourceAudio = {
    container: f.container ?? 'unknown',
    codec: f.codec ?? 'unknown',
    sampleRate: f.sampleRate ?? 0,
    bitsPerSample: f.bitsPerSample,
    channels: f.numberOfChannels ?? 0,
    duration: f.duration,
  };
  const lied =
    type && AUDIO_EXT.has(ext) && !type.ext.startsWith(ext.slice(1)) && !(ext === '.m4a' && type.ext === 'mp4')
      ? ` (its extension says ${ext} but the content is ${type.ext})`
      : '';
  if (!f.lossless) {
    return {
      kind: 'skipped',
      ...base,
      audio,
      code: 'E_SOURCE_LOSSY',
      message: `${path}: ${audio.codec} is lossy audio${lied}; only lossless sources are converted`,
    };
  }
  if (!audio.sampleRate || !audio.channels) {
    return {
      kind: 'failed',
      ...base,
      audio,
      code: 'E_SOURCE_CORRUPT',
      message: `${path}: headers give no sample rate or channel count`,
    };
  }
  const warnings = lied ? [`extension does not match content${lied}`] : [];
  if (audio.duration === undefined) warnings.push('headers give no duration; truncation cannot be detected');
  const dir = dirname(path);
  if (!folderImages.has(dir)) folderImages.set(dir, findFolderImage(dir));
  const cover = chooseCover(meta.common.picture, await folderImages.get(dir));
  const fingerprint = audio.codec === 'FLAC' ? await streamInfoFingerprint(path).catch(() => undefined) : undefined;
  return {
    kind: 'lossless',
    source: {
      ...audio,
      ...base,
      tags: sourceTagEntries(meta),
      ...(cover ? { cover } : {}),
      ...(fingerprint ? { fingerprint } : {}),
      warnings,
    },
  };
}
