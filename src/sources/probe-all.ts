/**
 * From scanned paths to probe results, reusing the previous manifest's facts for files
 * whose size and mtime are unchanged, so an unchanged file is never opened.
 */
import { dirname } from 'node:path';
import { folderImagesFromScan } from './art.js';
import { probeFile, type FolderImageCache, type ProbeContext, type ProbeResult } from './probe.js';
import { statOrUndefined, type ScannedFile } from './scan.js';
import { dsdPolicy } from './dsd.js';
import type { IgnoredFile, ManifestSource, PlannedSource } from '../model.js';

export type Probed = { file: ScannedFile; result: ProbeResult; reused: boolean };

/** An ignored file opened last time to decide, unchanged since: ignored again without being opened. */
function reuseIgnored(file: ScannedFile, prev: IgnoredFile | undefined): ProbeResult | undefined {
  if (prev?.size === undefined) return undefined;
  const st = statOrUndefined(file.path);
  if (!st || st.size !== prev.size || st.mtimeMs !== prev.mtimeMs) return undefined;
  return { kind: 'ignored', path: file.path, size: st.size, mtimeMs: st.mtimeMs, reason: prev.reason };
}

async function reuse(
  file: ScannedFile,
  prev: ManifestSource | undefined,
  folderImages: FolderImageCache,
): Promise<ProbeResult | undefined> {
  if (!prev || prev.size === undefined || prev.sampleRate === undefined || prev.channels === undefined)
    return undefined;
  // A source that failed to probe last time is probed again: it may have been fixed in place.
  if (
    prev.code &&
    ['E_SOURCE_CORRUPT', 'E_SOURCE_EMPTY', 'E_SOURCE_UNREADABLE', 'E_SOURCE_PROBE_FAILED'].includes(prev.code)
  )
    return undefined;
  // Records from before ffmpeg decided what a master is (music-metadata's "FLAC", "PCM"…): probed once more.
  if (!prev.codec || /[A-Z]/.test(prev.codec)) return undefined;
  // Synchronous: see scan.ts; this runs once per source on every nightly run.
  const st = statOrUndefined(file.path);
  if (!st || st.size !== prev.size || st.mtimeMs !== prev.mtimeMs) return undefined;
  const audio = {
    container: prev.container ?? '',
    codec: prev.codec ?? '',
    sampleRate: prev.sampleRate,
    bitsPerSample: prev.bitsPerSample,
    channels: prev.channels,
    duration: prev.duration,
    // The DSD filter is this version's policy, whatever an earlier one recorded.
    ...(prev.decode
      ? { decode: { sampleRate: prev.decode.sampleRate, filter: dsdPolicy(prev.decode.sampleRate).filter } }
      : {}),
  };
  if (prev.status === 'skipped' && prev.code === 'E_SOURCE_LOSSY') {
    return {
      kind: 'skipped',
      path: file.path,
      size: st.size,
      mtimeMs: st.mtimeMs,
      audio,
      code: prev.code,
      message: prev.message ?? '',
    };
  }
  if (!Array.isArray(prev.tags)) return undefined; // a record from before tags were kept in full
  // An embedded front cover lives in the (unchanged) file; a folder image may have appeared, changed or gone.
  const cover = prev.cover?.from === 'embedded' ? prev.cover : await folderImages.get(dirname(file.path));
  return {
    kind: 'lossless',
    source: {
      ...audio,
      path: file.path,
      size: st.size,
      mtimeMs: st.mtimeMs,
      tags: prev.tags,
      ...(cover ? { cover } : {}),
      ...(prev.fingerprint ? { fingerprint: prev.fingerprint } : {}),
      warnings: [],
    },
  };
}

export interface ProbeAllOptions extends Omit<ProbeContext, 'folderImages'> {
  /** Files ffmpeg is run on at once. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
  /** The previous run's ignored files, by source key. */
  ignored?: Map<string, IgnoredFile>;
}

/** Probe every file, `concurrency` at a time, in scan order. `previous` is by source key. */
export async function probeAll(
  files: ScannedFile[],
  previous: Map<string, ManifestSource>,
  opts: ProbeAllOptions,
): Promise<Probed[]> {
  const { concurrency = 8, signal } = opts;
  const out: Probed[] = new Array(files.length);
  // Every folder of the scan gets its entry (image or none), so nothing reads a directory twice.
  const folderImages: FolderImageCache = new Map(
    [...new Set(files.map((f) => dirname(f.path)))].map((d) => [d, undefined]),
  );
  for (const [dir, ref] of folderImagesFromScan(files.map((f) => f.path))) folderImages.set(dir, ref);
  let next = 0;
  const lane = async () => {
    while (next < files.length && !signal?.aborted) {
      const i = next++;
      const reused =
        reuseIgnored(files[i], opts.ignored?.get(keyOf(files[i]))) ??
        (await reuse(files[i], previous.get(keyOf(files[i])), folderImages));
      out[i] = {
        file: files[i],
        result: reused ?? (await probeFile(files[i].path, { ...opts, folderImages })),
        reused: reused !== undefined,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
  return out.filter(Boolean);
}

/** The key a scanned file is known by across runs. */
export function keyOf(f: ScannedFile): string {
  return f.key;
}

/** A lossless probe result with the scan's root, relative path and key attached. */
export function toPlanned(p: Probed): PlannedSource | undefined {
  return p.result.kind === 'lossless'
    ? { ...p.result.source, root: p.file.root, rel: p.file.rel, key: keyOf(p.file) }
    : undefined;
}
