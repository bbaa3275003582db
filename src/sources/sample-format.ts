/**
 * What a master's samples are (integer of N bits, or float) and the PCM formats their decoded samples are hashed
 * in to prove a copy bit-exact. The formats form a lattice: each widens exactly into the ones above it (s16 into
 * s24, s24 into f32, anything into f64), so two streams hashed at the wider of their formats hash equal exactly
 * when their samples are equal.
 */

/** A PCM format samples are hashed in. */
export type PcmFormat = 's8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

/** ffmpeg's encoder for each format (little-endian, interleaved: the byte order libFLAC hashes). */
export const PCM_CODEC: Readonly<Record<PcmFormat, string>> = {
  s8: 'pcm_s8',
  s16: 'pcm_s16le',
  s24: 'pcm_s24le',
  s32: 'pcm_s32le',
  f32: 'pcm_f32le',
  f64: 'pcm_f64le',
};

/** Bytes per sample of each format. */
export const PCM_BYTES: Readonly<Record<PcmFormat, number>> = { s8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

const INT_BITS: Partial<Record<PcmFormat, number>> = { s8: 8, s16: 16, s24: 24, s32: 32 };

/** A master's sample depth as far as the probe knows it. `float` undefined: the codec name does not say. */
export interface MasterDepth {
  bits?: number;
  float?: boolean;
}

/** Codecs whose samples are always integers (music-metadata's names and ffmpeg's). */
const INTEGER_CODEC = /^(flac|alac|pcm_[su]\d+(le|be)?(_planar)?|tta|ape|monkey's audio|shorten|tak)$/i;
/** Codecs (or codec descriptions) that say float. */
const FLOAT_CODEC = /^pcm_f(32|64)|float|^(flt|dbl)p?$/i;

/** The master's depth from the probe's codec name and bits per sample. */
export function masterDepth(src: { codec: string; bitsPerSample?: number }): MasterDepth {
  const float = FLOAT_CODEC.test(src.codec) ? true : INTEGER_CODEC.test(src.codec) ? false : undefined;
  return { ...(src.bitsPerSample ? { bits: src.bitsPerSample } : {}), ...(float !== undefined ? { float } : {}) };
}

/**
 * The format a master's samples are held exactly in. Unknown depth, or 32 bits that may be integer or float,
 * take f64, which holds both: the hash can then be no proof of anything it is not.
 */
export function exactFormat(d: MasterDepth): PcmFormat {
  if (d.bits === undefined) return 'f64';
  if (d.float) return d.bits <= 32 ? 'f32' : 'f64';
  if (d.float === undefined && d.bits > 24) return 'f64';
  return d.bits <= 8 ? 's8' : d.bits <= 16 ? 's16' : d.bits <= 24 ? 's24' : d.bits <= 32 ? 's32' : 'f64';
}

/** The narrowest format both widen into exactly. */
export function widest(a: PcmFormat, b: PcmFormat): PcmFormat {
  if (a === b) return a;
  if (a === 'f64' || b === 'f64') return 'f64';
  const ia = INT_BITS[a];
  const ib = INT_BITS[b];
  if (ia !== undefined && ib !== undefined) return ia >= ib ? a : b;
  // One is f32: it holds integers up to 24 bits exactly (its 24-bit mantissa), not 32.
  const other = ia ?? ib ?? 0;
  return other <= 24 ? 'f32' : 'f64';
}

/** "24-bit integer", "32-bit float", "32-bit" (integer or float, unknown). */
export function describeDepth(d: MasterDepth): string {
  if (d.bits === undefined) return 'unknown-depth';
  return `${d.bits}-bit${d.float === true ? ' float' : d.float === false ? ' integer' : ''}`;
}

/**
 * How libFLAC's STREAMINFO MD5 is taken: the samples at their own value (not scaled to a byte boundary),
 * little-endian, interleaved, in the byte width of the stream's depth. ffmpeg decodes a 12- or 20-bit stream
 * scaled up to 16 or 24 bits, so those are scaled back down (exactly: a power of two, in double precision).
 */
export function flacMd5Form(bits: number): { format: PcmFormat; filter?: string } | undefined {
  if (!Number.isInteger(bits) || bits < 4 || bits > 32) return undefined;
  const width = Math.ceil(bits / 8) * 8;
  const format = ({ 8: 's8', 16: 's16', 24: 's24', 32: 's32' } as const)[width as 8 | 16 | 24 | 32];
  const shift = width - bits;
  return shift ? { format, filter: `volume=volume=${2 ** -shift}:precision=double` } : { format };
}
