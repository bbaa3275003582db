/**
 * Walk the source folders. Only lists paths: deciding what a file is belongs to probe.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
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
    const st = statOrUndefined(root);
    if (!st?.isDirectory()) {
      throw new AudiofanError('E_SOURCE_DIR_MISSING', `source folder ${root} ${st ? 'is not a folder' : 'does not exist'}`, { file: root });
    }
    const found: ScannedFile[] = [];
    walk(root, found, opts, exclude, new Set());
    found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    out.push(...found);
  }
  return out;
}

/** stat, or undefined when the path cannot be stat'ed (missing, dangling link, no permission). */
export function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Synchronous on purpose: nothing else runs while the tree is walked, and a synchronous readdir or
 * stat costs a few microseconds where a promise through libuv's 4-thread pool costs tens; a nightly
 * no-op over 10,000 tracks is mostly this walk.
 */
function walk(dir: string, out: ScannedFile[], opts: ScanOptions, exclude: Set<string>, seen: Set<string>, root = dir) {
  if (exclude.has(dir)) return;
  if (opts.followSymlinks) {
    // Real-path bookkeeping stops cycles when links are followed.
    const key = realpathSync(dir);
    if (seen.has(key)) return;
    seen.add(key);
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // an unreadable sub-folder holds nothing we can convert; the walk goes on
  }
  for (const entry of entries) {
    // Our own temporaries and hidden files (.DS_Store, ._foo resource forks) are never sources.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = statOrUndefined(path);
      isDir = !!target?.isDirectory() && !!opts.followSymlinks;
      // A link to a file is a source; a dangling link is reported by probe as unreadable.
      isFile = !target || target.isFile();
    }
    if (isDir) walk(path, out, opts, exclude, seen, root);
    else if (isFile) out.push({ path, root, rel: relative(root, path) });
  }
}
