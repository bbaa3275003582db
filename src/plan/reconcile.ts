/**
 * The tag stage's planning: once every track's loudness is known, compute album gains and the
 * tags each output should carry, and plan a retag (no re-encode) for every output whose tags or
 * art differ from what it has. Album loudness is gated over the blocks of all its tracks.
 */
import { dirname } from 'node:path';
import { gatedLoudness, type GainSet, type TrackLoudness } from '../tagging/loudness.js';
import { canRetag, carriesArt } from '../presets/containers.js';
import { containerOf } from '../presets/presets.js';
import { tagState } from '../tagging/compose.js';
import type { Id3Version } from '../tagging/id3v2.js';
import type { PlannedJob, PlannedOutput, PlannedSource, SourcePlan } from '../model.js';

/** Tracks form an album when they share album and album artist in one folder. */
export function albumKey(s: PlannedSource): string | undefined {
  const first = (k: string) => s.tags.find(([key]) => key === k)?.[1];
  const album = first('ALBUM');
  return album ? `${dirname(s.path)}\0${album}\0${first('ALBUMARTIST') ?? ''}` : undefined;
}

/** Track and album gains for every source whose loudness is known. */
export function gainsBySource(sources: PlannedSource[], loudness: Map<string, TrackLoudness>): Map<string, GainSet> {
  const albums = new Map<string, PlannedSource[]>();
  for (const s of sources) {
    const key = albumKey(s);
    if (key) albums.set(key, [...(albums.get(key) ?? []), s]);
  }
  const albumGain = new Map<string, GainSet['album']>();
  for (const [key, tracks] of albums) {
    const known = tracks.map((t) => loudness.get(t.path)).filter((l): l is TrackLoudness => l !== undefined);
    const lufs = gatedLoudness(known.map((l) => l.blocks));
    if (lufs !== undefined) albumGain.set(key, { lufs, peakDbfs: Math.max(...known.map((l) => l.peakDbfs)) });
  }
  const out = new Map<string, GainSet>();
  for (const s of sources) {
    const l = loudness.get(s.path);
    const key = albumKey(s);
    const album = key ? albumGain.get(key) : undefined;
    out.set(s.path, {
      ...(l?.integratedLufs !== undefined ? { track: { lufs: l.integratedLufs, peakDbfs: l.peakDbfs } } : {}),
      ...(album ? { album } : {}),
    });
  }
  return out;
}

export interface TagSettings {
  id3Version: Id3Version;
  loudness: boolean;
  artMaxSize?: number;
}

/** The tags hash an output of this source should have now. */
export function desiredTagsHash(
  s: PlannedSource,
  o: PlannedOutput,
  gains: GainSet | undefined,
  t: TagSettings,
): string {
  const c = containerOf(o.preset);
  return tagState({
    entries: s.tags,
    writer: c.tagWriter,
    id3Version: t.id3Version,
    loudness: t.loudness,
    gains,
    art: carriesArt(c, o.preset.art),
    cover: s.cover,
    artMaxSize: t.artMaxSize,
  }).hash;
}

/**
 * Retag jobs for outputs that exist and are good, whose tags differ from what they should be.
 * `current` gives each output's recorded tags hash (undefined when it is not a good output).
 */
export function planRetags(
  plans: SourcePlan[],
  gains: Map<string, GainSet>,
  t: TagSettings,
  current: (s: PlannedSource, o: PlannedOutput) => string | undefined,
): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  for (const p of plans) {
    const g = gains.get(p.source.path);
    const stale = p.outputs.filter((o) => {
      const have = current(p.source, o);
      return have !== undefined && canRetag(containerOf(o.preset)) && have !== desiredTagsHash(p.source, o, g, t);
    });
    if (stale.length)
      jobs.push({
        kind: 'retag',
        source: p.source,
        outputs: stale,
        measureLoudness: false,
        ...(g ? { gains: g } : {}),
      });
  }
  return jobs;
}
