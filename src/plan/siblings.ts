/**
 * Masters in one folder whose names differ only by extension (`song.flac`, `song.wav`) would get the same output
 * name. The rule, stable from run to run: of the masters whose output paths would be equal, the one that already
 * holds the plain name in the manifest keeps it; otherwise the first by file name (byte order, which for equal stems
 * is extension order) gets it. Every other one gets its own extension appended to the name: `song (wav).mp3`.
 */
import { basename, dirname, extname, sep } from 'node:path';
import { collisionKey, type FsProfile } from './fs-profile.js';
import { outputKey } from '../sources/source-key.js';
import type { Preset } from '../presets/presets.js';
import type { ManifestSource, PlannedSource } from '../model.js';
import { outputRelPath, type Naming } from './output-path.js';

/** The suffix for a source's extension: " (wav)"; " (file)" for a name without one. */
export function extensionSuffix(rel: string): string {
  const label = extname(rel)
    .slice(1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  return ` (${label || 'file'})`;
}

/** Masters that are siblings by name: same source folder, same folder inside it, same name but for the extension. */
function siblingKey(s: Pick<PlannedSource, 'key' | 'rel'>, profile: FsProfile): string {
  const root = s.key.slice(0, s.key.indexOf('\0'));
  const rel = s.rel.split(sep).join('/');
  const name = basename(rel);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${root}\0${collisionKey(`${dirname(rel)}/${stem}`, profile)}`;
}

/** The suffix each (source, preset) output needs, by output key; outputs not in the map need none. */
export function siblingSuffixes(
  sources: PlannedSource[],
  presets: Preset[],
  naming: Naming,
  previous: Map<string, ManifestSource>,
): Map<string, string> {
  const groups = new Map<string, PlannedSource[]>();
  for (const s of sources) {
    const k = siblingKey(s, naming.profile);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    for (const preset of presets) {
      // Only masters whose plain output paths are equal compete (a layout may name siblings apart by their tags).
      const byPath = new Map<string, { s: PlannedSource; rel: string }[]>();
      for (const s of group) {
        const rel = outputRelPath(preset, s, naming);
        const k = collisionKey(rel, naming.profile);
        byPath.set(k, [...(byPath.get(k) ?? []), { s, rel }]);
      }
      for (const rivals of byPath.values()) {
        if (rivals.length < 2) continue;
        const holder =
          rivals.find((r) =>
            previous
              .get(r.s.key)
              ?.outputs.some((o) => o.preset === preset.id && o.path === r.rel && o.size !== undefined),
          ) ?? rivals[0];
        for (const r of rivals) if (r !== holder) out.set(outputKey(r.s.key, preset.id), extensionSuffix(r.s.rel));
      }
    }
  }
  return out;
}
