/**
 * Files copied unchanged beside the outputs, decided as data: lossy masters (--lossy copy) into the presets
 * whose container holds their codec, and extras (--extras: covers, cue sheets, logs, booklets) into the
 * folder where each preset's outputs of the same source folder went. Pure: paths and decisions only.
 */
import { dirname, posix, sep } from 'node:path';
import type { Preset } from '../presets/presets.js';
import type { ManifestOutput, ManifestSource, OutputState, SourcePlan } from '../model.js';
import { safeComponent, type FsProfile } from './fs-profile.js';
import { mirrorPath } from './layout.js';

/** Which lossy codec (as music-metadata names it) each preset container holds unchanged. */
const CODEC_OF_CONTAINER: Record<string, RegExp> = {
  mp3: /layer 3|mp3/i,
  opus: /^opus$/i,
  ogg: /vorbis/i,
  m4a: /^aac/i,
};

/** A file to copy: from a source path, to a path relative to the output folder, for one preset. */
export interface CopyItem {
  kind: 'lossy' | 'extra';
  /** The source's key (see source-key.ts) and path. */
  key: string;
  path: string;
  /** Its source folder and path inside it, as the manifest records them. */
  root: string;
  srcRel: string;
  size: number;
  mtimeMs: number;
  preset: Preset;
  rel: string;
}

export type CopyDecision = { action: 'copy' | 'keep'; reason: string };

/** The presets a lossy file is copied into: those whose container holds its codec. */
export function presetsForLossy(codec: string, presets: Preset[]): Preset[] {
  return presets.filter((p) => CODEC_OF_CONTAINER[p.container]?.test(codec));
}

/** A lossy master's copy: mirrored like an output, with the preset's extension. */
export function lossyCopyPath(rel: string, preset: Preset, profile: FsProfile, flat: boolean): string {
  const r = mirrorPath(rel.split(sep).join('/'), profile, preset.extension);
  return flat ? r : posix.join(preset.id, r);
}

/**
 * Where each preset's outputs of a source folder went (the first output's folder), by
 * `rootIndex\0folder` and preset id: an extra goes beside them, whatever the layout made of the names.
 */
export function outputFolders(plans: SourcePlan[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const p of plans) {
    const k = folderKey(p.source.key);
    const m = out.get(k) ?? new Map<string, string>();
    for (const o of p.outputs) if (!m.has(o.preset.id)) m.set(o.preset.id, posix.dirname(o.rel.split(sep).join('/')));
    out.set(k, m);
  }
  return out;
}

/** `rootIndex\0folder` of a source key (`rootIndex\0rel`). */
export function folderKey(key: string): string {
  const i = key.indexOf('\0');
  return `${key.slice(0, i)}\0${posix.dirname(key.slice(i + 1))}`;
}

/** An extra's path: beside the preset's outputs of its folder, else mirrored; its name made safe, kept otherwise. */
export function extraPath(
  key: string,
  rel: string,
  preset: Preset,
  folders: Map<string, Map<string, string>>,
  profile: FsProfile,
  flat: boolean,
): string {
  const name = safeComponent(rel.split(sep).pop()!, profile);
  const beside = folders.get(folderKey(key))?.get(preset.id);
  if (beside !== undefined) return beside === '.' ? name : posix.join(beside, name);
  const dir = dirname(rel).split(sep).join('/');
  const mirrored = dir === '.' ? [] : dir.split('/').map((c) => safeComponent(c, profile));
  return posix.join(...(flat ? [] : [preset.id]), ...mirrored, name);
}

/** Copy again when the source changed, the copy is missing or changed, or it failed before; else keep. */
export function decideCopy(
  item: CopyItem,
  prevSource: ManifestSource | undefined,
  prevOutput: ManifestOutput | undefined,
  onDisk: OutputState | undefined,
  force: boolean,
): CopyDecision {
  if (force) return { action: 'copy', reason: 'forced (--force)' };
  if (!prevOutput) return { action: 'copy', reason: 'new' };
  if (prevOutput.status !== 'ok') return { action: 'copy', reason: 'previous attempt failed' };
  if (!prevSource || prevSource.size !== item.size || prevSource.mtimeMs !== item.mtimeMs)
    return { action: 'copy', reason: 'source changed' };
  if (!onDisk) return { action: 'copy', reason: 'copy missing' };
  if (onDisk.size !== prevOutput.size || onDisk.mtimeMs !== prevOutput.mtimeMs)
    return { action: 'copy', reason: 'copy modified' };
  return { action: 'keep', reason: 'up to date' };
}
