/**
 * Where an output goes: `<preset-id>/<path>.<ext>`, the path mirroring the source tree or rendered from a layout.
 */
import { join, sep } from 'node:path';
import type { FsProfile } from './fs-profile.js';
import { mirrorPath, type parseLayout, renderLayout } from './layout.js';
import type { Preset } from '../presets/presets.js';
import type { PlannedSource } from '../model.js';

/** How output paths are named: a layout template (default: mirror the source tree) and a filesystem profile. */
export interface Naming {
  layout?: ReturnType<typeof parseLayout>;
  profile: FsProfile;
  /** No `<preset-id>/` level (--flat): outputs go straight into the output folder. */
  flat?: boolean;
}

/**
 * `<preset-id>/<path>.<ext>`, the path being the source's path relative to its root (default)
 * or the layout rendered from its tags; every component made safe for the profile.
 */
export function outputRelPath(
  preset: Preset,
  source: Pick<PlannedSource, 'rel' | 'tags'>,
  naming: Naming = { profile: 'universal' },
  suffix = '',
): string {
  const rel = naming.layout
    ? renderLayout(naming.layout, source.tags, naming.profile, preset.extension, suffix)
    : mirrorPath(source.rel.split(sep).join('/'), naming.profile, preset.extension, suffix);
  return naming.flat ? rel : join(preset.id, rel);
}
