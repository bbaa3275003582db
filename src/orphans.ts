/**
 * Orphans: outputs audiofan made (the manifest says so) whose source is gone or no longer
 * selected, or whose preset was dropped from -p, or whose name changed (a new layout). With
 * --delete they are removed, then the folders they leave empty; nothing the manifest does not
 * record, and nothing changed since audiofan wrote it, is ever touched.
 */
import { rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { ManifestOutput, ManifestSource } from './manifest.js';
import type { SourcePlan } from './plan.js';

export interface Orphan {
  source: string;
  output: ManifestOutput;
  reason: string;
}

/**
 * `present`: every source path found this run (good or bad). A source that is present but failed
 * to read keeps its outputs: a flaky disk must not turn into deletions.
 */
export function findOrphans(previous: Map<string, ManifestSource>, plans: SourcePlan[], present: Set<string>, presetIds: string[]): Orphan[] {
  const planned = new Map(plans.map((p) => [p.source.path, new Set(p.outputs.map((o) => `${o.preset.id}\0${o.rel}`))]));
  const out: Orphan[] = [];
  for (const [path, prev] of previous) {
    const made = prev.outputs.filter((o) => o.status === 'ok' && o.size !== undefined);
    const now = planned.get(path);
    if (!now) {
      if (!present.has(path)) for (const o of made) out.push({ source: path, output: o, reason: 'source is gone or no longer selected' });
      continue;
    }
    for (const o of made) {
      if (now.has(`${o.preset}\0${o.path}`)) continue;
      out.push({ source: path, output: o, reason: presetIds.includes(o.preset) ? 'output name changed (layout or source path)' : 'preset no longer selected' });
    }
  }
  return out;
}

/** Delete orphans that are still exactly as audiofan wrote them; then their emptied folders. */
export async function deleteOrphans(outDir: string, orphans: Orphan[]): Promise<{ deleted: Orphan[]; left: { orphan: Orphan; why: string }[] }> {
  const root = resolve(outDir);
  const deleted: Orphan[] = [];
  const left: { orphan: Orphan; why: string }[] = [];
  const dirs = new Set<string>();
  for (const orphan of orphans) {
    const file = resolve(root, orphan.output.path);
    if (!file.startsWith(root + sep)) {
      left.push({ orphan, why: 'its recorded path is outside the output folder' });
      continue;
    }
    const st = await stat(file).catch(() => undefined);
    if (st && (st.size !== orphan.output.size || st.mtimeMs !== orphan.output.mtimeMs)) {
      left.push({ orphan, why: 'it was modified after audiofan wrote it' });
      continue;
    }
    if (st) await rm(file);
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

/** Identifies one recorded output of one source. */
export function orphanKey(source: string, o: Pick<ManifestOutput, 'preset' | 'path'>): string {
  return `${source}\0${o.preset}\0${o.path}`;
}
