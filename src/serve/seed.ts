/**
 * Outputs of batch runs (`--seed <output dir>`), served as they are when their manifest says they match:
 * the same master audio (fingerprint) and tags, the same preset definition, recorded ok, and the file on
 * disk still the size and mtime the manifest recorded. Seeds are only read, never evicted or deleted.
 */
import { join } from 'node:path';
import { readManifest } from '../store/manifest.js';
import { OutputFolder } from '../store/contain.js';
import { statOrUndefined } from '../sources/scan.js';
import type { Track } from './library.js';
import type { Logger, ManifestOutput, ManifestSource } from '../model.js';

export interface SeedFile {
  path: string;
  size: number;
}

interface Recorded {
  source: ManifestSource;
  output: ManifestOutput;
  dir: string;
}

export class Seeds {
  /** By audio fingerprint: what the batch runs made from that audio. */
  private readonly byFingerprint = new Map<string, Recorded[]>();

  /** Read each folder's manifest; a folder without one (or a damaged one) is named in the log and skipped. */
  static async load(dirs: string[], log: Logger): Promise<Seeds> {
    const seeds = new Seeds();
    for (const dir of dirs) {
      try {
        const { manifest, warning } = await readManifest(dir);
        if (!manifest) {
          log.warn({ event: 'seed', dir }, `seed ${dir}: ${warning ?? 'no audiofan manifest there'}; not used`);
          continue;
        }
        for (const source of manifest.sources)
          for (const output of source.outputs)
            if (source.fingerprint && output.status === 'ok') {
              const list = seeds.byFingerprint.get(source.fingerprint) ?? [];
              list.push({ source, output, dir });
              seeds.byFingerprint.set(source.fingerprint, list);
            }
      } catch (e) {
        log.warn({ event: 'seed', dir, error: (e as Error).message }, `seed ${dir}: ${(e as Error).message}`);
      }
    }
    return seeds;
  }

  /** A batch output of this track in this preset that still matches, if there is one. */
  find(track: Track, presetId: string, presetHash: string): SeedFile | undefined {
    const s = track.source;
    const tags = JSON.stringify(s.tags);
    for (const r of this.byFingerprint.get(s.fingerprint ?? '') ?? []) {
      const o = r.output;
      if (o.preset !== presetId || o.presetHash !== presetHash || JSON.stringify(r.source.tags) !== tags) continue;
      // Nothing outside the seed folder: not through '..' in a recorded path, nor through a link.
      if (new OutputFolder(r.dir).outside(o.path)) continue;
      const path = join(r.dir, o.path);
      const st = statOrUndefined(path);
      if (st?.isFile() && st.size === o.size && st.mtimeMs === o.mtimeMs) return { path, size: st.size };
    }
    return undefined;
  }
}
