/**
 * The manifest: what was made, from what, how, and what failed. Written atomically by the
 * coordinator only; its shape is src/schemas/manifest.schema.json (manifestVersion 1).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { AudiofanError } from '../errors.js';
import { ioReason } from './io-errors.js';
import { JOURNAL_NAME } from './journal.js';
import { show } from '../checks.js';
import { manifestProblem } from './manifest-check.js';
import { toolVersion } from '../version.js';
import type { Manifest } from '../model.js';
export type { Status, ManifestOutput, ManifestSource, RunSummary, Manifest } from '../model.js';

export const MANIFEST_NAME = 'audiofan-manifest.json';
export const MANIFEST_VERSION = 1;

/**
 * The previous run's manifest. None: {}. Unparsable (cut short): a warning, and everything is redone.
 * Parsed but not one this build can use: thrown, so it is never silently replaced by an older or
 * confused run: E_MANIFEST_NEWER when a newer audiofan wrote it, else E_MANIFEST_INVALID naming
 * the file and its first bad entry.
 */
export async function readManifest(outDir: string): Promise<{ manifest?: Manifest; warning?: string }> {
  const path = join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AudiofanError('E_MANIFEST_INVALID', `${path}: cannot be read (${(e as Error).message})`, {
      file: path,
      cause: e,
    });
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return { warning: `${path}: unreadable manifest (${(e as Error).message}); everything is redone` };
  }
  upgradeLoudness(m);
  const version = (m as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > MANIFEST_VERSION) {
    throw new AudiofanError(
      'E_MANIFEST_NEWER',
      `${path}: written by a newer audiofan (manifest version ${version}; this audiofan ` +
        `${toolVersion()} knows version ${MANIFEST_VERSION}); an older audiofan must not replace it: upgrade audiofan`,
      { file: path },
    );
  }
  const problem =
    version !== MANIFEST_VERSION
      ? `/manifestVersion: expected ${MANIFEST_VERSION}, got ${show(version)}`
      : manifestProblem(m);
  if (problem) {
    throw new AudiofanError(
      'E_MANIFEST_INVALID',
      `${path} is not a valid audiofan manifest: ${problem}. It was left as it is; ` +
        'move it away to start over (audiofan then treats the files already in the folder as not its own)',
      { file: path },
    );
  }
  return { manifest: m as Manifest };
}

/**
 * Write the manifest atomically; returns its path. Throws E_MANIFEST_WRITE (a full disk, say): the
 * previous manifest is then untouched, and the caller must keep the journal, which still holds this
 * run's finished outputs for the next run to fold in.
 */
export async function writeManifest(outDir: string, manifest: Manifest): Promise<string> {
  const path = join(outDir, MANIFEST_NAME);
  try {
    // Compact: a 10,000-track manifest is tens of MB pretty-printed, and it is read by programs (jq).
    await writeFileAtomic(path, `${JSON.stringify(manifest)}\n`);
  } catch (e) {
    const journal = join(outDir, JOURNAL_NAME);
    throw new AudiofanError(
      'E_MANIFEST_WRITE',
      `${path}: cannot write the manifest: ${ioReason(e)}; the previous manifest` +
        ` is kept and the journal ${journal} keeps this run's outputs for the next run`,
      { file: path, cause: e },
    );
  }
  return path;
}

/** Manifests written before peaks had a kind held only true peaks, as `truePeakDbfs`: read as such. */
function upgradeLoudness(m: unknown): void {
  const sources = (m as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return;
  for (const s of sources) {
    const l = (s as { loudness?: Record<string, unknown> } | null)?.loudness;
    if (l && typeof l === 'object' && 'truePeakDbfs' in l && !('peakDbfs' in l)) {
      l.peakDbfs = l.truePeakDbfs;
      l.peak = 'true';
      delete l.truePeakDbfs;
    }
  }
}
