/**
 * --exclude: which source paths to leave out, by picomatch globs relative to each source folder. A left-out
 * file is not a source at all (not probed, not failed, not retried every night); outputs made from it before
 * become orphans like those of a removed source, deleted only with --delete and within the delete guard.
 */
import picomatch from 'picomatch';
import { sep } from 'node:path';

/**
 * A test for paths relative to a source folder (platform separators). `folder`: the path is a folder, and
 * `Live` or `Live/**` leaves out everything under it without walking it. No globs: nothing is left out.
 */
export function excluder(globs: string[]): (rel: string, folder?: boolean) => boolean {
  if (!globs.length) return () => false;
  // dot: a glob says which names it means; hidden files are skipped by the walk anyway.
  const match = picomatch(globs, { dot: true });
  return (rel, folder = false) => {
    const p = sep === '/' ? rel : rel.split(sep).join('/');
    // A folder is left out when the glob matches it, or would match any name inside it (a NUL cannot be
    // in a real name, so only `**`, `*` or the folder's own path can have matched it).
    return match(p) || (folder && match(`${p}/\0`));
  };
}
