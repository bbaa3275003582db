/**
 * A file copied unchanged into the output folder (a lossy master, an extra): checked against the output
 * folder first (no symbolic link out of it), copied to a temporary name beside its final path, and handed
 * back for the caller to publish through the journal, so nothing half-copied is ever at a final path.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { removeTemps, tempPathFor } from './atomic.js';
import type { OutputFolder } from './contain.js';
import { writeFailure } from './io-errors.js';
import type { ErrorCode } from '../errors.js';

export type CopyOutcome =
  | { ok: true; temp: string; final: string; size: number }
  | { ok: false; code: ErrorCode; message: string };

/** Copy `from` to a temporary beside `rel` (relative to the folder). The caller renames it into place. */
export async function copyToTemp(folder: OutputFolder, from: string, rel: string): Promise<CopyOutcome> {
  const final = resolve(folder.path, rel);
  const outside = folder.outside(rel);
  if (outside) return { ok: false, code: 'E_OUTPUT_PATH_UNSAFE', message: `${rel}: not written: ${outside}` };
  const temp = tempPathFor(final);
  try {
    await mkdir(dirname(final), { recursive: true });
    // mkdir may have made folders: check again that none of them leads outside (a link raced in).
    const again = folder.outside(rel);
    if (again) return { ok: false, code: 'E_OUTPUT_PATH_UNSAFE', message: `${rel}: not written: ${again}` };
    await copyFile(from, temp);
    return { ok: true, temp, final, size: (await stat(temp)).size };
  } catch (e) {
    await removeTemps(temp);
    const f = writeFailure(e, final, 'cannot copy the file into the output folder');
    return { ok: false, code: f.code, message: f.message };
  }
}
