/**
 * One run per output folder: a lock file naming its run, created exclusively, taken over only when provably stale.
 *
 * Outcomes of finding someone else's lock (the codes the CLI maps to exit codes):
 *   provably stale (same machine: process gone, pid reused, machine restarted; or an old unreadable file)
 *                                              -> removed and taken over; Lock.tookOver says why
 *   a live run on this machine                 -> E_LOCKED (exit 75: try again later)
 *   cannot be checked (another machine or container, no /proc), but refreshed within HEARTBEAT_STALE_MS,
 *   or unreadable but younger than UNREADABLE_GRACE_MS (a run writing it right now)
 *                                              -> E_LOCKED: plausibly active, so "try later" is the right answer
 *   cannot be checked and not refreshed for HEARTBEAT_STALE_MS
 *                                              -> E_LOCK_STALE_UNKNOWN (exit 2): a person must decide, and the
 *                                                 message says how; exit 75 there would let cron retry forever
 *
 * Take-over is check-then-replace, which the filesystem cannot do atomically. So the run that replaces a stale
 * lock first creates, exclusively, a marker named after that stale file's identity: of runs racing for the same
 * stale lock exactly one creates the marker, re-checks that the lock is still that file, and replaces it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { AudiofanError } from '../errors.js';
import { createExclusive, inspect, replaceWith, sameFile, type Found } from './lock-file.js';
import { describeSelf, judgeHolder, parseLockInfo, type LockInfo } from './lock-holder.js';

export type { LockInfo } from './lock-holder.js';

export const LOCK_NAME = '.audiofan.lock';
/** A run refreshes its lock's mtime this often, so other machines can tell a live lock from a forgotten one. */
export const HEARTBEAT_MS = 60_000;
/** Ten missed heartbeats: room for clock skew between machines and a busy event loop. */
export const HEARTBEAT_STALE_MS = 10 * 60_000;
/** An unreadable lock this young may be one a racing run (or an older audiofan) is still writing. */
export const UNREADABLE_GRACE_MS = 10_000;

export interface Lock {
  /** Set when a stale lock was taken over: its record (pid 0 when unreadable) and why it was judged stale. */
  tookOver?: LockInfo & { reason: string };
  release(): Promise<void>;
}

type Judged =
  | { kind: 'stale'; reason: string }
  | { kind: 'held'; code: 'E_LOCKED' | 'E_LOCK_STALE_UNKNOWN'; why: string };

function judge(found: Found): Judged {
  const age = `${Math.round(found.ageMs / 1000)} s`;
  if (!found.info) {
    return found.ageMs < UNREADABLE_GRACE_MS
      ? {
          kind: 'held',
          code: 'E_LOCKED',
          why: `it is unreadable and only ${age} old (a run may be writing it right now)`,
        }
      : { kind: 'stale', reason: `the lock file was empty or unreadable and ${age} old` };
  }
  const v = judgeHolder(found.info);
  if (v.kind === 'stale') return v;
  if (v.kind === 'live') return { kind: 'held', code: 'E_LOCKED', why: 'that run is still going' };
  return found.ageMs < HEARTBEAT_STALE_MS
    ? { kind: 'held', code: 'E_LOCKED', why: `${v.why}; it was refreshed ${age} ago, so that run looks active` }
    : {
        kind: 'held',
        code: 'E_LOCK_STALE_UNKNOWN',
        why: `${v.why}, and it has not been refreshed for ${age}, so that run may be gone`,
      };
}

function heldError(outDir: string, path: string, found: Found, j: Extract<Judged, { kind: 'held' }>): AudiofanError {
  const h = found.info;
  const who = h ? `pid ${h.pid} on ${h.host}, started ${h.startedAt}` : 'holder unknown';
  return new AudiofanError(
    j.code,
    `${outDir} is in use by another audiofan run (${who}): lock file ${path}; ${j.why}. ` +
      `If you are sure that run is gone, clear the lock with: rm ${JSON.stringify(path)}`,
    { file: path },
  );
}

const markerPrefix = `${LOCK_NAME}.takeover-`;

/**
 * Replace the stale lock `stale` by ours; false when it changed meanwhile (look again). A marker left by a run
 * that died mid-take-over is itself judged like a lock, and if stale the next level's marker is used.
 */
async function takeOver(outDir: string, path: string, stale: Found, mine: LockInfo): Promise<boolean> {
  const id = createHash('sha256').update(`${stale.ino}:${stale.mtimeMs}:${stale.raw}`).digest('hex').slice(0, 16);
  for (let level = 1, tries = 0; level <= 8 && tries < 32; tries++) {
    const marker = join(outDir, `${markerPrefix}${id}-${level}`);
    if (await createExclusive(marker, mine)) {
      try {
        const now = await inspect(path);
        if (!now || !sameFile(now, stale)) return false;
        await replaceWith(path, mine);
        return true;
      } finally {
        await rm(marker, { force: true }).catch(() => {});
      }
    }
    const m = await inspect(marker);
    if (!m) continue; // its holder just finished: try the same level again (it will find the lock changed)
    const j = judge(m);
    if (j.kind === 'held')
      throw heldError(outDir, marker, m, { ...j, why: `that run is taking over the stale lock ${path} right now` });
    level++;
  }
  return false;
}

/** Markers of finished or abandoned take-overs; called only by the holder, when no take-over can be under way. */
async function removeMarkers(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => n.startsWith(markerPrefix)).map((n) => rm(join(outDir, n), { force: true }).catch(() => {})),
  );
}

/** Take the output folder's lock, or throw E_LOCKED / E_LOCK_STALE_UNKNOWN naming the holder and how to clear it. */
export async function acquireLock(outDir: string): Promise<Lock> {
  const path = join(outDir, LOCK_NAME);
  const mine = describeSelf(randomBytes(8).toString('hex'));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, mine)) return held(path, mine);
    const found = await inspect(path);
    if (!found) continue; // released between our two looks
    const j = judge(found);
    if (j.kind === 'held') throw heldError(outDir, path, found, j);
    if (await takeOver(outDir, path, found, mine)) {
      await removeMarkers(outDir);
      return held(path, mine, { ...(found.info ?? { pid: 0, host: '?', startedAt: '?' }), reason: j.reason });
    }
  }
  throw new AudiofanError(
    'E_LOCKED',
    `${outDir} is in use by another audiofan run: its lock file ${path} kept changing hands`,
    { file: path },
  );
}

function held(path: string, mine: LockInfo, tookOver?: Lock['tookOver']): Lock {
  // Touching the mtime is the heartbeat other machines read; unref'd so it never keeps the process alive.
  const beat = setInterval(() => {
    utimes(path, new Date(), new Date()).catch(() => {});
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    ...(tookOver ? { tookOver } : {}),
    release: async () => {
      clearInterval(beat);
      // Never throws: a lock left behind is judged stale by the next run, while an error here would
      // replace the result of a run that has finished.
      const now = await readFile(path, 'utf8').then(parseLockInfo, () => undefined);
      if (now?.token === mine.token) await rm(path, { force: true }).catch(() => {});
    },
  };
}
