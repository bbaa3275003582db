/**
 * Bit depth in lossless targets: which sample format an encoder is given so a master keeps its depth, which
 * format the copy is proven bit-exact in, and what happens to a master deeper than the target can hold (it is
 * tried exactly first: a 24-bit signal in a 32-bit container fits; if it does not, the output fails with
 * E_SOURCE_DEPTH unless the preset says `"allowReduceDepth": true`, which re-encodes it dithered).
 */
import type { Preset } from '../presets/presets.js';
import { describeDepth, exactFormat, masterDepth, widest, type PcmFormat } from '../sources/sample-format.js';
import type { BitExactPlan, SourceInfo } from '../model.js';

/** What a lossless encoder can store: integer depths up to `maxBits` (given as `s32Format`), float or not. */
interface EncoderDepth {
  maxBits: number;
  float: boolean;
  /** The 32-bit sample format the encoder takes (planar or packed). */
  s32Format: string;
  /** Arguments that make it store `bits` bits from s32 input. */
  bitsArgs: (bits: number) => string[];
}

const rawBits = (bits: number) => ['-bits_per_raw_sample', String(bits)];

/** ffmpeg's lossless encoders. FLAC and ALAC store 24 bits at most (FLAC 32 where ffmpeg ≥ 6 can). */
const ENCODERS: Record<string, (ctx: DepthContext) => EncoderDepth> = {
  flac: (ctx) => ({
    maxBits: ctx.flac32 ? 32 : 24,
    float: false,
    s32Format: 's32',
    // ffmpeg marks 32-bit FLAC experimental: only libFLAC ≥ 1.4 and ffmpeg ≥ 6 decode it.
    bitsArgs: (bits) => [...rawBits(bits), ...(bits > 24 ? ['-strict', 'experimental'] : [])],
  }),
  alac: () => ({ maxBits: 24, float: false, s32Format: 's32p', bitsArgs: rawBits }),
  wavpack: () => ({ maxBits: 32, float: true, s32Format: 's32p', bitsArgs: rawBits }),
};

export interface DepthContext {
  /** This ffmpeg writes 32-bit FLAC. */
  flac32: boolean;
}

/** The output format an encoder's copy of a master decodes to, and the arguments that make it so. */
export interface DepthRecipe {
  args: string[];
  bitExact: BitExactPlan;
  /** Bits the target stores, when the master may need more. */
  storeBits?: number;
  /** What the copy is exact to, when that is not the master's own samples (DSD): for the manifest. */
  note?: string;
}

/**
 * For an output that should hold the master's samples unchanged (lossless preset, same rate, depth not reduced
 * by the preset): encoder arguments and the bit-exactness check.
 */
export function depthRecipe(preset: Preset, src: SourceInfo, ctx: DepthContext): DepthRecipe {
  // A master decoded through a filter (DSD) has no PCM of its own to keep: its PCM is the policy's, integer of the
  // policy's depth, by a documented reduction no copy can undo. The copy keeps that PCM and is proven against it
  // (the master's hash goes through the same filter: hash-plan.ts), never against the decoder's float output.
  if (src.decode) {
    const bits = src.bitsPerSample ?? 24;
    return {
      args: [],
      bitExact: { format: exactFormat({ bits, float: false }) },
      note:
        `a DSD master: this copy holds the DSD policy's ${bits}-bit ${src.sampleRate / 1000} kHz PCM ` +
        `(low-passed, not dithered), bit-exact to that PCM, not to the 1-bit stream, which no PCM copy can be`,
    };
  }
  const depth = masterDepth(src);
  const master = exactFormat(depth);
  const enc = ENCODERS[preset.encoder]?.(ctx);
  // An encoder we have no table row for is trusted to keep the master; the check proves it or fails the output.
  if (!enc) return { args: [], bitExact: { format: master } };
  const bits = depth.bits ?? 32;
  if (depth.float === true && enc.float) return { args: [], bitExact: { format: master } };
  if (depth.float !== true && bits <= 16) return { args: [], bitExact: { format: widest(master, 's16') } };
  if (depth.float !== true && bits <= 24) return { args: [], bitExact: { format: widest(master, 's24') } };
  // Deeper than 24 bits, or float: as many bits as the encoder stores, then proven; too deep is never truncated.
  const store = Math.min(enc.maxBits, 32);
  const args = ['-sample_fmt', enc.s32Format, ...enc.bitsArgs(store)];
  const out: PcmFormat = store > 24 ? 's32' : 's24';
  const exact = depth.float !== true && bits <= store;
  return {
    args,
    ...(exact ? {} : { storeBits: store }),
    bitExact: {
      format: widest(master, out),
      ...(exact ? {} : { mayNotFit: `${describeDepth(depth)} master in ${store}-bit ${preset.encoder.toUpperCase()}` }),
    },
  };
}

/**
 * The dither a preset with `allowReduceDepth` gets when the master did not fit: TPDF noise at the stored depth's
 * last bit (swresample's output_sample_bits), before the encoder drops the bits below it.
 */
export function reduceFilter(bits: number, dither: boolean): string {
  return `aresample=osf=s32:output_sample_bits=${bits}${dither ? ':dither_method=triangular' : ''}`;
}
