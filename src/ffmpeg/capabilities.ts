/**
 * What a run needs from the ffmpeg binary, checked before any work starts, so a missing
 * encoder is one clear error and not a thousand failed files.
 */
import { AudiofanError } from '../errors.js';
import type { FfmpegInfo } from './adapter.js';
import type { LocatedFfmpeg } from './locate.js';
import { containerOf, type Preset } from '../presets/presets.js';

export interface Requirement {
  kind: 'encoder' | 'muxer' | 'filter';
  name: string;
  /** Preset ids that need it, or "every run". */
  neededBy: string[];
  present: boolean;
}

/** Every encoder, muxer and filter the presets need, and whether the binary has it. */
export function requirements(info: FfmpegInfo, presets: Preset[]): Requirement[] {
  const need = new Map<string, Requirement>();
  const add = (kind: Requirement['kind'], name: string, by: string) => {
    const key = `${kind}:${name}`;
    const have = kind === 'encoder' ? info.encoders : kind === 'muxer' ? info.muxers : info.filters;
    const r = need.get(key) ?? { kind, name, neededBy: [], present: have.has(name) };
    r.neededBy.push(by);
    need.set(key, r);
  };
  // aresample converts sample rates and bit depths.
  add('filter', 'aresample', 'every run');
  for (const p of presets) {
    add('encoder', p.encoder, p.id);
    add('muxer', containerOf(p).muxer, p.id);
  }
  return [...need.values()];
}

/** Throw E_ENCODER_MISSING naming each missing piece, the presets that need it, and the binary. */
export function assertCapabilities(located: LocatedFfmpeg, info: FfmpegInfo, presets: Preset[]): void {
  const missing = requirements(info, presets).filter((r) => !r.present);
  if (missing.length === 0) return;
  const list = missing.map((r) => `${r.kind} ${r.name} (needed by ${r.neededBy.join(', ')})`).join('; ');
  throw new AudiofanError(
    'E_ENCODER_MISSING',
    `ffmpeg ${info.version} at ${located.path} (found via ${located.source}) lacks: ${list}. ` +
      'Use an ffmpeg built with them (set FFMPEG_PATH or --ffmpeg), or choose other presets.',
    { file: located.path },
  );
}
