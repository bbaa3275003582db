/**
 * One run per output folder. The lock is a file in the folder holding the owner's pid, host and
 * start time, created exclusively; a lock whose process is gone (killed, power loss) is taken over.
 */
import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AudiofanError } from './errors.js';

export const LOCK_NAME = '.audiofan.lock';

interface LockInfo { pid: number; host: string; startedAt: string }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function create(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } satisfies LockInfo));
    await fh.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

export interface Lock {
  /** Set when a stale lock of a dead run was taken over. */
  tookOver?: LockInfo;
  release(): Promise<void>;
}

/** Take the output folder's lock, or throw E_LOCKED naming the run that holds it. */
export async function acquireLock(outDir: string): Promise<Lock> {
  const path = join(outDir, LOCK_NAME);
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await create(path)) {
      return { ...(tookOver ? { tookOver } : {}), release: async () => {
        const now = await readFile(path, 'utf8').then((t) => JSON.parse(t) as LockInfo, () => undefined);
        if (now?.pid === process.pid) await rm(path, { force: true });
      } };
    }
    const holder = await readFile(path, 'utf8').then((t) => JSON.parse(t) as LockInfo, () => undefined);
    // A lock from another host cannot be checked; one from this host is stale when its process is gone.
    if (holder && (holder.host !== hostname() || alive(holder.pid))) {
      throw new AudiofanError('E_LOCKED', `${outDir} is in use by another audiofan run (pid ${holder.pid} on ${holder.host}, `
        + `started ${holder.startedAt}); if that run is gone, remove ${path}`, { file: path });
    }
    tookOver = holder ?? { pid: 0, host: '?', startedAt: '?' };
    await rm(path, { force: true });
  }
  throw new AudiofanError('E_LOCKED', `${outDir} is in use by another audiofan run (it took the lock first)`, { file: path });
}
