/**
 * Orphans: outputs audiofan made (the manifest says so) whose source is gone or no longer
 * selected, or whose preset was dropped from -p, or whose name changed (a new layout). With
 * --delete they are removed, then the folders they leave empty; nothing the manifest does not
 * record, and nothing changed since audiofan wrote it, is ever touched.
 */
import { rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { OutputFolder } from './contain.js';
import type { ManifestOutput, ManifestSource, SourcePlan } from '../model.js';

export interface Orphan {
  /** The source's path as last recorded (for messages). */
  source: string;
  /** The source's key (see source-key.ts). */
  key: string;
  output: ManifestOutput;
  reason: string;
}

/**
 * `previous` and `present` are by source key; `present` holds every source found this run (good or
 * bad): a source that is present but failed to read keeps its outputs, so a flaky disk never turns
 * into deletions. `unknown` says a source lies where the scan could not look (an unreadable folder,
 * a dangling link): its outputs are not orphans either, as the source may well still be there.
 */
export function findOrphans(
  previous: Map<string, ManifestSource>,
  plans: SourcePlan[],
  present: Set<string>,
  presetIds: string[],
  unknown: (key: string) => boolean = () => false,
): Orphan[] {
  const planned = new Map(plans.map((p) => [p.source.key, new Set(p.outputs.map((o) => `${o.preset.id}\0${o.rel}`))]));
  const out: Orphan[] = [];
  for (const [key, prev] of previous) {
    const made = prev.outputs.filter((o) => o.size !== undefined && o.mtimeMs !== undefined);
    const now = planned.get(key);
    if (!now) {
      if (!present.has(key) && !unknown(key))
        for (const o of made)
          out.push({ source: prev.path, key, output: o, reason: 'source is gone or no longer selected' });
      continue;
    }
    for (const o of made) {
      if (now.has(`${o.preset}\0${o.path}`)) continue;
      out.push({
        source: prev.path,
        key,
        output: o,
        reason: presetIds.includes(o.preset)
          ? 'output name changed (layout or source path)'
          : 'preset no longer selected',
      });
    }
  }
  return out;
}

/** Delete orphans that are still exactly as audiofan wrote them; then their emptied folders. */
export async function deleteOrphans(
  folder: OutputFolder,
  orphans: Orphan[],
): Promise<{ deleted: Orphan[]; left: { orphan: Orphan; why: string }[] }> {
  const root = resolve(folder.path);
  const deleted: Orphan[] = [];
  const left: { orphan: Orphan; why: string }[] = [];
  const dirs = new Set<string>();
  for (const orphan of orphans) {
    const file = resolve(root, orphan.output.path);
    const outside = folder.outside(orphan.output.path);
    if (outside) {
      left.push({ orphan, why: `not deleted: ${outside}` });
      continue;
    }
    const st = await stat(file).catch(() => undefined);
    if (st && (st.size !== orphan.output.size || st.mtimeMs !== orphan.output.mtimeMs)) {
      left.push({ orphan, why: 'it was modified after audiofan wrote it' });
      continue;
    }
    try {
      if (st) await rm(file);
    } catch (e) {
      left.push({ orphan, why: `cannot delete it: ${(e as Error).message}` });
      continue;
    }
    deleted.push(orphan);
    dirs.add(dirname(file));
  }
  // Deepest first; a folder that is not empty (anything of anyone's) stops the climb.
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    for (let dir = d; dir.startsWith(root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }
  return { deleted, left };
}

/** Identifies one recorded output of one source (by source key). */
export function orphanKey(sourceKey: string, o: Pick<ManifestOutput, 'preset' | 'path'>): string {
  return `${sourceKey}\0${o.preset}\0${o.path}`;
}
