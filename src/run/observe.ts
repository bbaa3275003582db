/**
 * What a run's decisions rest on, observed cheaply and digested: the settings (options, presets, ffmpeg,
 * audiofan's version), every file under the sources with its size and mtime, the folder images, and the
 * recorded outputs' size and mtime. Two observations with one digest would be planned the same way;
 * the settled stamp (store/settled-stamp.ts) keeps the digest of a run that found nothing to do.
 * Each stat is hashed as it is taken and then dropped: at 100,000 tracks nothing per file is kept but
 * the walk's own list.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { folderImagesFromScan, type CoverRef } from '../sources/art.js';
import { scanSources, type ScanResult, type ScannedFile } from '../sources/scan.js';
import { toolVersion } from '../version.js';
import type { Run } from './context.js';

export interface FileState {
  size: number;
  mtimeMs: number;
}

/** Called with each thing observed, to check it against what a run saw (confirming a settled run). */
export interface Witness {
  file(i: number, f: ScannedFile, st: FileState | undefined): void;
  images(images: Map<string, CoverRef | undefined>): void;
  output(path: string, st: FileState | undefined): void;
}

export interface Observed {
  scan: ScanResult;
  digest: string;
}

/** stat without the cost of an exception for a missing file; only regular files count. */
function fileState(path: string): FileState | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

/** What a run's plan depends on besides the files: its settings, the tool and the encoder. */
function settings(run: Run, recorded: Record<string, unknown>): string {
  const { info } = run;
  return JSON.stringify({
    tool: toolVersion(),
    options: recorded,
    presets: run.presets,
    ffmpeg: run.ffmpeg,
    info: { ...info, encoders: [...info.encoders], filters: [...info.filters], muxers: [...info.muxers] },
  });
}

const line = (...parts: (string | number | undefined)[]) => `\n${parts.join('\0')}`;

/**
 * Walk the sources as discover does, stat every file found and every output named (relative to the
 * output folder), and digest it all with the run's settings (`recorded`: the options a manifest records).
 */
export function observe(run: Run, recorded: Record<string, unknown>, outputs: string[], witness?: Witness): Observed {
  const { o, outDir } = run;
  const h = createHash('sha256');
  h.update(settings(run, recorded));
  const scan = scanSources(o.sources, { followSymlinks: o.followSymlinks, exclude: o.exclude });
  h.update(JSON.stringify({ roots: scan.roots, problems: scan.problems }));
  scan.files.forEach((f, i) => {
    const st = fileState(f.path);
    witness?.file(i, f, st);
    h.update(line('f', f.key, f.path, st?.size, st?.mtimeMs));
  });
  const images = folderImagesFromScan(scan.files.map((f) => f.path));
  witness?.images(images);
  for (const [dir, ref] of [...images].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (ref?.from === 'folder') h.update(line('i', dir, ref.path, ref.size, ref.mtimeMs));
  for (const path of outputs) {
    const st = fileState(resolve(outDir, path));
    witness?.output(path, st);
    h.update(line('o', path, st?.size, st?.mtimeMs));
  }
  return { scan, digest: h.digest('hex') };
}
