/**
 * Walk the source folders. Only lists paths: deciding what a file is belongs to probe. What the walk
 * could not look into is reported, never silently passed over: a folder it cannot read may still hold
 * sources, so their outputs must not be taken for orphans (see orphans.ts and the delete guard).
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { AudiofanError } from '../errors.js';
import { excluder } from './exclude.js';
import { sourceKey } from './source-key.js';

export interface ScannedFile {
  /** Absolute path. */
  path: string;
  /** The source folder it was found under (absolute). */
  root: string;
  /** Position of that folder among the run's source folders. */
  rootIndex: number;
  /** Path relative to root, with the platform separator. */
  rel: string;
  /** Identity across runs (see source-key.ts). */
  key: string;
}

/** Something the walk could not look into. `rel` is relative to the root ('' for the root itself). */
export interface ScanProblem {
  root: string;
  rootIndex: number;
  rel: string;
  path: string;
  /** unreadable: readdir failed; dangling-link: a link whose target is gone; not-followed: a link to a folder. */
  kind: 'unreadable' | 'dangling-link' | 'not-followed' | 'empty-root';
  reason: string;
}

/** A source folder as found this run: its device tells a mounted share from the empty mount point. */
export interface ScannedRoot {
  path: string;
  dev: number;
  files: number;
}

export interface ScanResult {
  files: ScannedFile[];
  problems: ScanProblem[];
  roots: ScannedRoot[];
}

export interface ScanOptions {
  /** Follow symbolic links to folders. Default false: a link loop or a link to / cannot explode a run. */
  followSymlinks?: boolean;
  /** Globs (picomatch) of paths relative to each source folder to leave out; a matching folder is not entered. */
  exclude?: string[];
}

/** Every file under the roots, sorted by (root, relative path) so runs are repeatable. */
export function scanSources(roots: string[], opts: ScanOptions = {}): ScanResult {
  const result: ScanResult = { files: [], problems: [], roots: [] };
  roots.forEach((r, rootIndex) => {
    const root = resolve(r);
    const st = checkSource(root);
    const found: ScannedFile[] = [];
    const problems: ScanProblem[] = [];
    const excluded = excluder(opts.exclude ?? []);
    const w: Walk = { root, rootIndex, opts, found, problems, seen: new Set(), excluded };
    // A file given as a source is its own root: its key is (position, file name), as stable as a folder's.
    if (st.isFile()) {
      if (!excluded(basename(root))) found.push(fileSource(w, root, basename(root)));
    } else walk(w, root);
    found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    if (found.length === 0 && problems.length === 0) {
      problems.push({
        root,
        rootIndex,
        rel: '',
        path: root,
        kind: 'empty-root',
        reason: 'the source folder holds no files (is the share or disk mounted?)',
      });
    }
    result.files.push(...found);
    result.problems.push(...problems);
    result.roots.push({ path: root, dev: st.dev, files: found.length });
  });
  return result;
}

/** A source's stat: a folder or a regular file; E_SOURCE_DIR_MISSING when it is missing or something else. */
export function checkSource(root: string) {
  const st = statOrUndefined(root);
  if (!st?.isDirectory() && !st?.isFile()) {
    throw new AudiofanError(
      'E_SOURCE_DIR_MISSING',
      `source ${root} ${st ? 'is neither a folder nor a regular file (a device or pipe cannot be a source)' : 'does not exist'}`,
      { file: root },
    );
  }
  return st;
}

/** stat, or undefined when the path cannot be stat'ed (missing, dangling link, no permission). */
export function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function fileSource(w: Walk, path: string, rel: string): ScannedFile {
  return { path, root: w.root, rootIndex: w.rootIndex, rel, key: sourceKey(w.rootIndex, rel) };
}

function found(w: Walk, path: string): void {
  const rel = relative(w.root, path);
  if (!w.excluded(rel)) w.found.push(fileSource(w, path, rel));
}

interface Walk {
  root: string;
  rootIndex: number;
  opts: ScanOptions;
  found: ScannedFile[];
  problems: ScanProblem[];
  seen: Set<string>;
  /** Whether a path relative to the root is left out (--exclude). */
  excluded: (rel: string, folder?: boolean) => boolean;
}

/**
 * Synchronous on purpose: nothing else runs while the tree is walked, and a synchronous readdir or
 * stat costs a few microseconds where a promise through libuv's 4-thread pool costs tens; a nightly
 * no-op over 10,000 tracks is mostly this walk.
 */
function walk(w: Walk, dir: string): void {
  const problem = (path: string, kind: ScanProblem['kind'], reason: string) =>
    w.problems.push({ root: w.root, rootIndex: w.rootIndex, rel: relative(w.root, path), path, kind, reason });
  if (w.opts.followSymlinks) {
    // Real-path bookkeeping stops cycles when links are followed.
    const key = realpathSync(dir);
    if (w.seen.has(key)) return;
    w.seen.add(key);
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    problem(dir, 'unreadable', `cannot read this folder: ${err.code === 'EACCES' ? 'permission denied' : err.message}`);
    return;
  }
  for (const entry of entries) {
    // Our own temporaries and hidden files (.DS_Store, ._foo resource forks) are never sources.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = statOrUndefined(path);
      if (!target) {
        // Listed as a file, so probe reports it as unreadable; and a problem, because it may have
        // pointed at an album folder on a share that is gone, whose tracks must not be taken for deleted.
        problem(path, 'dangling-link', 'symbolic link whose target cannot be reached');
        found(w, path);
        continue;
      }
      if (target.isDirectory() && !w.opts.followSymlinks) {
        problem(path, 'not-followed', 'symbolic link to a folder, not followed (--follow-symlinks follows it)');
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) {
      if (!w.excluded(relative(w.root, path), true)) walk(w, path);
    } else if (isFile) found(w, path);
  }
}

/** Problems that make a run unsure which sources exist: any except folders deliberately not followed. */
export function blocksDeletion(p: ScanProblem): boolean {
  return p.kind !== 'not-followed';
}
