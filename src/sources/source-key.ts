/**
 * A source's identity across runs: which source folder it is under (by position on the command line)
 * and its path inside that folder. Not its absolute path: a library moved or remounted elsewhere is
 * the same library, and its outputs must be kept and re-pointed, not deleted and redone.
 */
import { sep } from 'node:path';

/** The key of a source found this run under source folder `rootIndex`. */
export function sourceKey(rootIndex: number | string, rel: string): string {
  // Runs once per source on every nightly run: no work where the separator is already '/'.
  return `${rootIndex}\0${sep === '/' ? rel : rel.split(sep).join('/')}`;
}

/**
 * Maps a source folder recorded by an earlier run to this run's position for it: the same folder
 * given again keeps matching wherever it stands now; a folder no longer given matches the new folder
 * at its old position, when that one is new (the library was moved); anything else matches nothing.
 */
export function rootMatcher(current: string[], previous: string[]): (root: string | undefined) => string {
  const now = new Map(current.map((p, i) => [p, i]));
  const before = new Set(previous);
  return (root) => {
    if (root === undefined) return 'unknown';
    const i = now.get(root);
    if (i !== undefined) return String(i);
    const j = previous.indexOf(root);
    if (j >= 0 && j < current.length && !before.has(current[j])) return String(j);
    return `gone:${root}`;
  };
}

/** The key of a source recorded by an earlier run (its root and rel), under this run's folders. */
export function recordedKey(
  match: (root: string | undefined) => string,
  s: { path: string; root?: string; rel?: string },
): string {
  // Records from before root/rel were kept can only match by path.
  return s.root !== undefined && s.rel !== undefined ? sourceKey(match(s.root), s.rel) : `path:${s.path}`;
}

/** One output of one source this run: joins worker results back to the plan. */
export function outputKey(sourceKeyValue: string, presetId: string): string {
  return `${sourceKeyValue}\0${presetId}`;
}
