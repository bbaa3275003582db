/**
 * What a failed write says: a full disk in the system's own words ("No space left on device", as
 * ffmpeg and the shell print it) with the path, and its own code, instead of Node's
 * "ENOSPC: no space left on device, copyfile '<temp>' -> '<temp>'".
 */
import { isAudiofanError, type ErrorCode } from '../errors.js';

/** strerror(3) texts of the errno codes that are about the disk rather than about one file. */
const SYSTEM_WORDS: ReadonlyMap<string, string> = new Map([
  ['ENOSPC', 'No space left on device'],
  ['EDQUOT', 'Disk quota exceeded'],
  ['EROFS', 'Read-only file system'],
  ['EIO', 'Input/output error'],
  ['EFBIG', 'File too large'],
]);

const FULL = /No space left on device|Disk quota exceeded/i;

/** True when `e` (an errno error, a wrapped one, or text such as ffmpeg's stderr) says the disk is full. */
export function isDiskFull(e: unknown): boolean {
  if (typeof e === 'string') return FULL.test(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || FULL.test(e instanceof Error ? e.message : String(e));
}

/** Why a file operation failed: the system's words for a disk condition, else the error's own message. */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (
    (typeof code === 'string' ? SYSTEM_WORDS.get(code) : undefined) ?? (e instanceof Error ? e.message : String(e))
  );
}

/** A write failure as manifest data: E_DISK_FULL when the disk is full (default E_OUTPUT_WRITE), led by the path. */
export function writeFailure(e: unknown, path: string, doing: string): { code: ErrorCode; message: string } {
  // A writer's own code (E_OUTPUT_INVALID: not the file it expected) is kept; a full disk is named as such.
  const code = isDiskFull(e) ? 'E_DISK_FULL' : isAudiofanError(e) ? e.code : 'E_OUTPUT_WRITE';
  return { code, message: `${path}: ${doing}: ${ioReason(e)}` };
}
