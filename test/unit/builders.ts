/**
 * Builders for the unit tier: small plan, preset and manifest objects with only the fields a test cares about.
 */
import type { ManifestOutput, ManifestSource } from '../../src/store/manifest.js';
import type { PlannedOutput, PlannedSource, SourcePlan } from '../../src/plan/plan.js';
import type { Preset } from '../../src/presets/presets.js';

/** A preset of the given container; `hash` defaults to `h-<id>`. */
export const preset = (id: string, container: Preset['container'], o: Partial<Preset> = {}): Preset => ({
  id,
  description: id,
  container,
  extension: container,
  encoder: 'x',
  encoderArgs: [],
  origin: 'test',
  hash: `h-${id}`,
  ...o,
});

export const FLAC = preset('flac', 'flac');
export const MP3 = preset('mp3-v0', 'mp3');
export const OPUS = preset('opus-128', 'opus');
export const OGG = preset('vorbis', 'ogg');

export const source = (o: Partial<PlannedSource> = {}): PlannedSource => ({
  path: '/m/A/01.flac',
  root: '/m',
  rel: 'A/01.flac',
  key: '0\0A/01.flac',
  size: 100,
  mtimeMs: 1,
  container: 'FLAC',
  codec: 'FLAC',
  sampleRate: 44100,
  bitsPerSample: 16,
  channels: 2,
  duration: 10,
  tags: [['TITLE', 'T']],
  warnings: [],
  ...o,
});

export const output = (p: Preset, o: Partial<PlannedOutput> = {}): PlannedOutput => ({
  preset: p,
  rel: `${p.id}/A/01.${p.extension}`,
  decision: { action: 'keep', reason: 'up to date' },
  args: [],
  format: { sampleRate: 44100, channels: 2 },
  warnings: [],
  ...o,
});

export const plan = (s: PlannedSource, outputs: PlannedOutput[]): SourcePlan => ({ source: s, outputs });

export const recorded = (o: Partial<ManifestOutput> = {}): ManifestOutput => ({
  preset: 'flac',
  presetHash: 'h-flac',
  path: 'flac/A/01.flac',
  status: 'ok',
  action: 'encoded',
  reason: 'new',
  ffmpegVersion: '6.0',
  size: 10,
  mtimeMs: 5,
  ...o,
});

export const recordedSource = (outputs: ManifestOutput[], o: Partial<ManifestSource> = {}): ManifestSource => ({
  path: '/m/A/01.flac',
  root: '/m',
  rel: 'A/01.flac',
  status: 'ok',
  outputs,
  ...o,
});
