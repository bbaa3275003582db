/**
 * The settled stamp: a small file written after a run that found nothing to do, holding a digest of
 * everything that run decided with and the outputs it checked. A later run that observes the same
 * digest can say "nothing changed" without reading the manifest (160 MB at 100,000 tracks). It is only
 * an optimisation: a missing, damaged or foreign stamp just means the full run.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { RunSummary } from '../model.js';

export const STAMP_NAME = '.audiofan-settled.json';
const STAMP_VERSION = 1;

/** Which manifest file the stamp vouches for: one rewritten or replaced since has another identity. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface SettledStamp {
  stampVersion: typeof STAMP_VERSION;
  /** sha256 of the run's inputs as observed (see run/observe.ts). */
  digest: string;
  manifest: FileIdentity;
  /** The summary of the run that found nothing to do (its wallSeconds is replaced when reused). */
  summary: RunSummary;
  /** Every output that run checked, relative to the output folder, in the digest's order. */
  outputs: string[];
}

/** The identity of a file, or undefined when it cannot be stat'ed. */
export async function fileIdentity(path: string): Promise<FileIdentity | undefined> {
  const st = await stat(path).catch(() => undefined);
  return st ? { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } : undefined;
}

export const sameIdentity = (a: FileIdentity | undefined, b: FileIdentity | undefined) =>
  !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** The stamp in `outDir`, or undefined when there is none or it is not one this build wrote. */
export async function readStamp(outDir: string): Promise<SettledStamp | undefined> {
  try {
    const s = JSON.parse(await readFile(join(outDir, STAMP_NAME), 'utf8')) as SettledStamp;
    const ok =
      s?.stampVersion === STAMP_VERSION &&
      typeof s.digest === 'string' &&
      typeof s.manifest?.size === 'number' &&
      typeof s.summary === 'object' &&
      Array.isArray(s.outputs) &&
      s.outputs.every((x) => typeof x === 'string');
    return ok ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Write the stamp atomically. Never rejects: without it the next run is merely slower. */
export async function writeStamp(outDir: string, s: Omit<SettledStamp, 'stampVersion'>): Promise<boolean> {
  return writeFileAtomic(join(outDir, STAMP_NAME), JSON.stringify({ stampVersion: STAMP_VERSION, ...s })).then(
    () => true,
    () => false,
  );
}

/** Remove the stamp (a run that changed something, or could not vouch for what it saw). */
export async function removeStamp(outDir: string): Promise<void> {
  await rm(join(outDir, STAMP_NAME), { force: true }).catch(() => undefined);
}
