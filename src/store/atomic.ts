/**
 * Nothing half-written is ever at a final path: every output and the manifest is written
 * to a hidden temporary name in the same folder (same filesystem, so rename is atomic),
 * then renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { opendir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_RE = /^\.audiofan-(\d+)-[0-9a-f]{8}\.[^/]*\.partial$/;

/** A temp name beside `finalPath`, marked with our pid so a later run can tell whether it is stale. */
export function tempPathFor(finalPath: string, pid = process.pid): string {
  // The final name is not repeated in full: a long name plus the marker could pass 255 bytes.
  const ext = basename(finalPath).split('.').pop()?.slice(0, 8) ?? 'tmp';
  return join(dirname(finalPath), `.audiofan-${pid}-${randomBytes(4).toString('hex')}.${ext}.partial`);
}

/**
 * Remove temporaries, trying every one. Never rejects: it runs on failure paths, where the error
 * being reported (a full disk, say) matters more than a temp that could not be removed too.
 */
export async function removeTemps(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true, recursive: isLogDir(p) }).catch(() => undefined)));
}

/** An ffmpeg run's log directory (transcode/job.ts logDirBeside): the only temp that is a directory. */
const isLogDir = (p: string) => /\.log\.partial$/.test(p) && TEMP_RE.test(basename(p));

/** Write a whole file atomically; on failure the temp is removed and the write's own error thrown. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await removeTemps(tmp);
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temporaries left by runs that died (SIGKILL, power loss). A temp whose process is
 * still alive belongs to a run in progress and is left alone. Returns the paths removed.
 */
export async function sweepStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(d);
    } catch {
      return;
    }
    for await (const e of handle) {
      const p = join(d, e.name);
      const m = TEMP_RE.exec(e.name);
      if (e.isDirectory() && !(m && isLogDir(p))) await walk(p);
      else if (m && !pidAlive(Number(m[1]))) {
        await rm(p, { force: true, recursive: e.isDirectory() });
        removed.push(p);
      }
    }
  };
  await walk(dir);
  return removed;
}
