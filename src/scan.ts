/**
 * Walk the source folders. Only lists paths: deciding what a file is belongs to probe.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { AudiofanError } from './errors.js';

export interface ScannedFile {
  /** Absolute path. */
  path: string;
  /** The source folder it was found under (absolute). */
  root: string;
  /** Path relative to root, with the platform separator. */
  rel: string;
}

export interface ScanOptions {
  /** Follow symbolic links to folders. Default false: a link loop or a link to / cannot explode a run. */
  followSymlinks?: boolean;
  /** Absolute folders never descended into (the output folder when it sits inside a source). */
  exclude?: string[];
}

/** Every file under the roots, sorted by (root, relative path) so runs are repeatable. */
export async function scanSources(roots: string[], opts: ScanOptions = {}): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  const exclude = new Set((opts.exclude ?? []).map((p) => resolve(p)));
  for (const r of roots) {
    const root = resolve(r);
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) {
      throw new AudiofanError('E_SOURCE_DIR_MISSING', `source folder ${root} ${st ? 'is not a folder' : 'does not exist'}`, { file: root });
    }
    const found: ScannedFile[] = [];
    await walk(root, root, found, opts, exclude, new Set());
    found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    out.push(...found);
  }
  return out;
}

async function walk(root: string, dir: string, out: ScannedFile[], opts: ScanOptions, exclude: Set<string>, seen: Set<string>) {
  if (exclude.has(dir)) return;
  if (opts.followSymlinks) {
    // Real-path bookkeeping stops cycles when links are followed.
    const key = await realpath(dir);
    if (seen.has(key)) return;
    seen.add(key);
  }
  let handle;
  try {
    handle = await opendir(dir);
  } catch {
    return; // an unreadable sub-folder holds nothing we can convert; the walk goes on
  }
  for await (const entry of handle) {
    // Our own temporaries and hidden files (.DS_Store, ._foo resource forks) are never sources.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDir = !!target?.isDirectory() && !!opts.followSymlinks;
      // A link to a file is a source; a dangling link is reported by probe as unreadable.
      isFile = !target || target.isFile();
    }
    if (isDir) await walk(root, path, out, opts, exclude, seen);
    else if (isFile) out.push({ path, root, rel: relative(root, path) });
  }
}
