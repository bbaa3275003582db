/**
 * The lock's file operations: exclusive create, atomic replace and a bounded read, each failing as
 * E_LOCK_IO naming the file.
 */
import { type FileHandle, link, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tempPathFor } from './atomic.js';
import { AudiofanError } from '../errors.js';
import { parseLockInfo, type LockInfo } from './lock-holder.js';

export const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

export function ioError(path: string, doing: string, e: unknown): AudiofanError {
  return new AudiofanError('E_LOCK_IO', `cannot ${doing} the lock file ${path}: ${(e as Error).message}`, {
    file: path,
    cause: e,
  });
}

/** Our record in a temp file beside `path` (a name the stale-temp sweep knows), fully written. */
async function writeTemp(path: string, info: LockInfo): Promise<string> {
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, `${JSON.stringify(info)}\n`, { flag: 'wx' });
    return tmp;
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw ioError(path, 'create', e);
  }
}

/** Create `path` holding our record unless it exists; atomic, so it is never seen empty or half-written. */
export async function createExclusive(path: string, info: LockInfo): Promise<boolean> {
  const tmp = await writeTemp(path, info);
  try {
    await link(tmp, path); // EEXIST when there is one: the atomic test-and-set
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    // No hard links (FAT, exFAT, some network shares): O_EXCL is the next best thing.
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(errno(e) ?? ''))
      return createNoLink(path, info);
    throw ioError(path, 'create', e);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

async function createNoLink(path: string, info: LockInfo): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'wx');
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    throw ioError(path, 'create', e);
  }
  try {
    await fh.writeFile(`${JSON.stringify(info)}\n`);
    await fh.close();
    return true;
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(path, { force: true }).catch(() => {});
    throw ioError(path, 'write', e);
  }
}

/** Put our record at `path` in one step, replacing whatever is there. */
export async function replaceWith(path: string, info: LockInfo): Promise<void> {
  const tmp = await writeTemp(path, info);
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw ioError(path, 'replace', e);
  }
}

/** A lock file as found: its identity (inode, mtime, bytes), age and parsed record. */
export interface Found {
  ino: number;
  mtimeMs: number;
  raw: string;
  ageMs: number;
  info?: LockInfo;
}

/** Two looks saw the same file: inode numbers alone are reused quickly once a file is deleted. */
export const sameFile = (a: Found, b: Found): boolean => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.raw === b.raw;

/** The file as it is now, or undefined when there is none. */
export async function inspect(path: string): Promise<Found | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw ioError(path, 'read', e);
  }
  try {
    const st = await fh.stat();
    // A record is a few hundred bytes; a huge file is not ours and is not read whole.
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(4096), 0, 4096, 0);
    const raw = buffer.toString('utf8', 0, bytesRead);
    const info = parseLockInfo(raw);
    return { ino: st.ino, mtimeMs: st.mtimeMs, raw, ageMs: Date.now() - st.mtimeMs, ...(info ? { info } : {}) };
  } catch (e) {
    throw ioError(path, 'read', e);
  } finally {
    await fh.close().catch(() => {});
  }
}
