/**
 * Containment by real path: nothing is written, renamed or deleted through a symbolic link that
 * leaves the output folder. Checking path strings is not enough: `out/mp3/A -> /elsewhere` makes
 * `out/mp3/A/1.mp3` a file in /elsewhere.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** Checks paths against one output folder; caches the real path of each folder it resolves. */
export class OutputFolder {
  readonly real: string;
  private readonly dirs = new Map<string, string | undefined>();

  constructor(readonly path: string) {
    this.real = realpathSync(path);
  }

  /**
   * Why writing or deleting `file` would reach outside the folder, or undefined when it would not.
   * The file itself may be missing; its deepest existing folder is resolved.
   */
  outside(file: string): string | undefined {
    const abs = resolve(this.path, file);
    if (!isInside(resolve(this.path), abs)) return 'the path leaves the output folder';
    const st = lstatOrUndefined(abs);
    if (st?.isSymbolicLink()) return 'it is a symbolic link';
    const real = this.realDir(dirname(abs));
    if (real === undefined) return 'its folder cannot be resolved';
    if (real !== this.real && !isInside(this.real, real))
      return `its folder leads to ${real}, outside the output folder, through a symbolic link`;
    return undefined;
  }

  private realDir(dir: string): string | undefined {
    if (this.dirs.has(dir)) return this.dirs.get(dir);
    let real: string | undefined;
    try {
      real = realpathSync(dir);
    } catch (e) {
      // A folder not made yet resolves through its parent (the worker will create it there).
      const code = (e as NodeJS.ErrnoException).code;
      const parent = dirname(dir);
      if (code === 'ENOENT' && parent !== dir) {
        const p = this.realDir(parent);
        real = p === undefined ? undefined : resolve(p, relative(parent, dir));
      }
    }
    this.dirs.set(dir, real);
    return real;
  }
}

function isInside(root: string, p: string): boolean {
  return p.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** lstat, or undefined when there is nothing at the path (or it cannot be looked at). */
export function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Real-path relation between the output folder and a source folder, for E_OUTPUT_INSIDE_SOURCE. */
export function overlap(
  outDir: string,
  source: string,
): 'same' | 'output inside source' | 'source inside output' | undefined {
  // The output folder may not exist yet (--create): its deepest existing parent is resolved.
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      const parent = dirname(resolve(p));
      return parent === resolve(p) ? resolve(p) : join(real(parent), basename(p));
    }
  };
  const o = real(outDir);
  const s = real(source);
  if (o === s) return 'same';
  if (isInside(s, o)) return 'output inside source';
  if (isInside(o, s)) return 'source inside output';
  return undefined;
}
