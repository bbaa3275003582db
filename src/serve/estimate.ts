/**
 * What a download will weigh before it exists: bitrate × duration. The bitrate is the preset's own
 * (`-b:a 96k`), the "~245 kbit/s" its description gives a VBR setting, or for lossless presets the
 * output PCM rate at a typical FLAC ratio. Once cached, the real size replaces the estimate.
 */
import type { Preset } from '../presets/presets.js';
import { outputRecipe, type RecipeContext } from '../plan/recipe.js';
import type { SourceInfo } from '../model.js';

/** FLAC typically stores music at ~60 % of its PCM size. */
const FLAC_RATIO = 0.6;

/** Bits per second of a lossy preset, when it says. */
export function presetBitrate(p: Preset): number | undefined {
  const i = p.encoderArgs.indexOf('-b:a');
  const v = i >= 0 ? /^(\d+(?:\.\d+)?)k$/i.exec(p.encoderArgs[i + 1] ?? '') : null;
  if (v) return Number(v[1]) * 1000;
  const d = /~\s*(\d+)\s*kbit/i.exec(p.description);
  return d ? Number(d[1]) * 1000 : undefined;
}

/** Estimated bytes of `source` in `preset`. */
export function estimateBytes(p: Preset, source: SourceInfo, ctx: RecipeContext): number {
  const seconds = source.duration ?? 0;
  let bps = presetBitrate(p);
  if (bps === undefined) {
    const f = outputRecipe(p, source, ctx).format;
    const bits = f.bitDepth ?? source.bitsPerSample ?? 16;
    bps = p.lossless ? f.sampleRate * bits * f.channels * FLAC_RATIO : 192_000;
  }
  return Math.round((bps * seconds) / 8);
}
