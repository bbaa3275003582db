/**
 * Which decoders make a lossless master: decided from the codec ffmpeg reports for the first audio stream, because
 * ffmpeg is what will decode it. A table, so adding a codec is a row, not a branch.
 */

export type CodecClass = 'lossless' | 'dsd' | 'lossy';

/** Lossless codecs by ffmpeg's name (besides pcm_* and dsd_*, matched below). */
const LOSSLESS = new Set([
  'flac',
  'alac',
  'wavpack', // unless its first block says hybrid (lossy): see wavpack.ts
  'ape',
  'tta',
  'tak',
  'shorten',
  'wmalossless',
  'mlp',
  'truehd',
  'mp4als',
  'ralf',
  's302m',
]);

/** pcm_* codecs that are not linear PCM: companded 8-bit telephony formats, lossy by construction. */
const COMPANDED = new Set(['pcm_alaw', 'pcm_mulaw', 'pcm_vidc']);

/** DSD: 1-bit audio, lossless as stored, converted to PCM by the policy in dsd.ts. `dst` is DSD's lossless packing. */
const DSD = /^(dsd_(lsbf|msbf)(_planar)?|dst)$/;

/** The class of an ffmpeg codec name. Anything not listed (mp3, aac, opus, vorbis, ac3, adpcm_*…) is lossy. */
export function codecClass(codec: string): CodecClass {
  if (DSD.test(codec)) return 'dsd';
  if (LOSSLESS.has(codec)) return 'lossless';
  if (codec.startsWith('pcm_') && !COMPANDED.has(codec)) return 'lossless';
  return 'lossy';
}

/** Bits per sample a PCM codec name states (pcm_s24le -> 24, pcm_f64be -> 64), else undefined. */
export function pcmBits(codec: string): number | undefined {
  const m = /^pcm_[suf](8|16|24|32|64)/.exec(codec);
  return m ? +m[1] : undefined;
}
