/**
 * May this run delete orphans? A pure decision, so each rule is a row in a test table. Deleting is
 * the one thing audiofan does that cannot be undone, so any doubt about whether the sources were all
 * seen turns deletion off for the run, and a large deletion needs to be asked for (rsync's --max-delete).
 */
import type { ScanProblem, ScannedRoot } from '../sources/scan.js';

/** At most this many outputs, or this percentage of them. */
export type MaxDelete = { count: number } | { percent: number };

export const DEFAULT_MAX_DELETE: MaxDelete = { percent: 10 };

/** "25" or "10%": throws a message naming the value when it is neither. */
export function parseMaxDelete(v: string | number): MaxDelete {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(s);
  if (!m || (!m[2] && !Number.isInteger(Number(m[1]))) || (m[2] && Number(m[1]) > 100)) {
    throw new Error(`expected a whole number of outputs or a percentage up to 100% (e.g. 50 or 10%), got "${s}"`);
  }
  return m[2] ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

/** The option check (config file and library options): why a --max-delete value is not one, or undefined. */
export function maxDeleteCheck(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number')
    return `expected a number of outputs or a percentage such as "10%", got ${JSON.stringify(v)}`;
  try {
    parseMaxDelete(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface DeleteGuardInput {
  /** Orphans that would be deleted. */
  orphans: number;
  /** Outputs the manifest records as made (the whole output library). */
  outputs: number;
  problems: ScanProblem[];
  roots: ScannedRoot[];
  /** The roots of the last run, by position (undefined for a first run or an old manifest). */
  previousRoots?: { path: string; dev: number }[];
  /** Given by the user (undefined: the default, which also never deletes everything). */
  maxDelete?: MaxDelete;
  force: boolean;
}

export type DeleteVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Rules, first match wins:
 *  1. nothing to delete                        -> allowed
 *  2. a folder could not be read or a link is dangling -> refused (its sources may still exist)
 *  3. a source folder is empty                 -> refused (an unmounted share looks like this)
 *  4. a source folder is on another device than last run -> refused (a mount came or went)
 *  5. --force                                  -> allowed
 *  6. every output, with the default limit     -> refused
 *  7. more than --max-delete (default 10%)     -> refused
 *  8. otherwise                                -> allowed
 */
export function deleteVerdict(g: DeleteGuardInput): DeleteVerdict {
  if (g.orphans === 0) return { allowed: true };
  const unread = g.problems.filter((p) => p.kind === 'unreadable' || p.kind === 'dangling-link');
  if (unread.length) {
    return {
      allowed: false,
      reason:
        `${unread.length} folder(s) or link(s) could not be read (first: ${unread[0].path}: ${unread[0].reason}); ` +
        'their sources may still exist',
    };
  }
  const empty = g.problems.find((p) => p.kind === 'empty-root');
  if (empty) return { allowed: false, reason: `source folder ${empty.path} is empty (is it mounted?)` };
  const moved = g.roots.find((r, i) => g.previousRoots?.[i] && g.previousRoots[i].dev !== r.dev);
  if (moved)
    return {
      allowed: false,
      reason: `source folder ${moved.path} is on another device than in the last run (a mount changed)`,
    };
  if (g.force) return { allowed: true };
  const limit = g.maxDelete ?? DEFAULT_MAX_DELETE;
  const max = 'count' in limit ? limit.count : Math.floor((g.outputs * limit.percent) / 100);
  const what = 'count' in limit ? `${limit.count}` : `${limit.percent}% (${max} of ${g.outputs})`;
  if (!g.maxDelete && g.orphans >= g.outputs) {
    return {
      allowed: false,
      reason: `every output (${g.outputs}) would be deleted; give --max-delete 100% or --force if that is meant`,
    };
  }
  if (g.orphans > max) {
    return {
      allowed: false,
      reason:
        `${g.orphans} output(s) would be deleted, more than --max-delete ${what}; ` +
        'give a larger --max-delete (e.g. --max-delete 100%) or --force to delete them',
    };
  }
  return { allowed: true };
}
