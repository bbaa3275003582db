/**
 * From (preset, source) to the ffmpeg arguments of one output. Pure: no I/O, so dry-run
 * prints exactly what a real run executes, and the rules are tested as tables.
 */
import { containerOf, type Preset } from '../presets/presets.js';
import { canRetag } from '../presets/containers.js';
import { channelPlan } from './channels.js';
import { ffmpegTagArgs } from '../tagging/ffmpeg-tags.js';
import { depthRecipe, reduceFilter } from './depth.js';
import type { BitExactPlan, OutputFormat, SourceInfo } from '../model.js';
export type { OutputFormat } from '../model.js';

/**
 * The output sample rate for a source. Kept when the target allows it; otherwise the
 * highest allowed rate of the same family (88.2k -> 44.1k, 96k/192k -> 48k), so resampling
 * is by a whole ratio where it can be; otherwise the highest allowed rate below the source.
 */
export function chooseSampleRate(allowed: number[] | undefined, source: number): number {
  if (!allowed?.length || allowed.includes(source)) return source;
  const sorted = [...allowed].sort((a, b) => a - b);
  const family = sorted.filter((r) => Math.max(r, source) % Math.min(r, source) === 0);
  const pick = (list: number[]) => list.filter((r) => r <= source).pop() ?? list.find((r) => r > source);
  return (family.length ? pick(family) : undefined) ?? pick(sorted) ?? sorted[0];
}

export interface RecipeContext {
  /** ffmpeg was built with libsoxr; otherwise its own resampler is used (with a warning). */
  soxr: boolean;
  /** ffmpeg writes 32-bit FLAC (6.0 and later). Default false. */
  flac32?: boolean;
}

export interface Recipe {
  args: string[];
  format: OutputFormat;
  warnings: string[];
  bitExact?: BitExactPlan;
}

/** Output arguments for one preset applied to one source (the target path is added by the caller). */
export function outputRecipe(preset: Preset, src: SourceInfo, ctx: RecipeContext): Recipe {
  const container = containerOf(preset);
  const warnings: string[] = [];
  // Audio only, no metadata: tags and cover are written afterwards by audiofan's own tag writers.
  const args = [
    '-map',
    '0:a:0',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:a',
    preset.encoder,
    ...preset.encoderArgs,
  ];

  const { channels, filter: channelFilter } = channelPlan(preset.encoder, preset.maxChannels, src.channels);
  // libopus refuses more than two channels unless told which channel mapping family to use.
  if (channels > 2 && preset.multichannelArgs) args.push(...preset.multichannelArgs);

  const sampleRate = chooseSampleRate(preset.sampleRates, src.sampleRate);
  const resample = sampleRate !== src.sampleRate;
  const srcBits = src.bitsPerSample ?? 0;
  // Requantise when the source is deeper than the target, or when resampling produced new sample values.
  const bitDepth =
    preset.bitDepth && (srcBits > preset.bitDepth || (resample && preset.lossless)) ? preset.bitDepth : undefined;
  const filter: string[] = [];
  if (resample) {
    // soxr only where its quality can survive: ffmpeg's own resampler (a quarter of soxr's CPU at 44.1 -> 48 kHz)
    // leaves only images above 22 kHz (-24 dB for a 20 kHz tone, none in the audible band: bench/resampler.py),
    // which MP3 and Opus encoders low-pass away; a lossless copy would keep them. swr also emits nothing at all
    // for an input shorter than its filter (30 samples at 44.1 kHz): masters under a second get soxr whatever.
    const short = src.duration === undefined || src.duration < 1;
    const resampler = preset.resampler ?? (preset.lossless || short ? 'soxr' : 'swr');
    if (resampler === 'soxr' && ctx.soxr) filter.push('resampler=soxr', 'precision=28');
    else if (resampler === 'soxr') warnings.push('ffmpeg lacks libsoxr: resampled with its built-in resampler');
    filter.push(`osr=${sampleRate}`);
  }
  if (bitDepth) {
    // Dither is applied at the last stored bit: for 24 bits inside s32 swresample must be told the depth.
    filter.push(bitDepth === 16 ? 'osf=s16' : `osf=s32:output_sample_bits=${bitDepth}`);
    if (preset.dither !== false) filter.push('dither_method=triangular');
  }
  // A DSD master's PCM is made first (sources/dsd.ts); then channels (a downmix before resampling resamples fewer
  // channels), then the preset's own conversion.
  const chain = [src.decode?.filter, channelFilter, filter.length ? `aresample=${filter.join(':')}` : undefined].filter(
    Boolean,
  );
  if (chain.length) args.push('-af', chain.join(','));
  if (resample) args.push('-ar', String(sampleRate));
  if (bitDepth === 16) args.push('-sample_fmt', 's16');
  if (bitDepth === 24) args.push('-sample_fmt', 's32', '-bits_per_raw_sample', '24');
  // A lossless copy of the master's samples: the depth is kept (or tried exactly), and the copy is proven.
  const bitExact =
    preset.lossless && !resample && !bitDepth && channels === src.channels
      ? depthRecipe(preset, src, { flac32: ctx.flac32 ?? false })
      : undefined;
  if (bitExact) args.push(...bitExact.args);
  if (bitExact?.note) warnings.push(bitExact.note);

  // A writer that cannot rewrite tags afterwards gets them as ffmpeg -metadata at encode time.
  if (!canRetag(container)) {
    const tags = ffmpegTagArgs(src.tags);
    warnings.push(...tags.warnings);
    args.push(...tags.args);
  }
  args.push(...container.muxerArgs, '-f', container.muxer);
  const format = { sampleRate, channels, ...(bitDepth ? { bitDepth } : {}) };
  if (!bitExact) return { args, format, warnings };
  const { storeBits } = bitExact;
  const reduceArgs =
    storeBits && preset.allowReduceDepth
      ? withFilter(args, reduceFilter(storeBits, preset.dither !== false))
      : undefined;
  return { args, format, warnings, bitExact: { ...bitExact.bitExact, ...(reduceArgs ? { reduceArgs } : {}) } };
}

/** The arguments with one more audio filter, after any the recipe already has (one -af: a second replaces it). */
function withFilter(args: string[], filter: string): string[] {
  const at = args.indexOf('-af');
  if (at < 0) return [...args.slice(0, -2), '-af', filter, ...args.slice(-2)];
  return args.map((a, i) => (i === at + 1 ? `${a},${filter}` : a));
}
