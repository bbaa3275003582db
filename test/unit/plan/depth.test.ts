/**
 * depth.ts and the recipe's bit-depth part: which outputs are proven bit-exact and in which format, what an
 * encoder is told to store, and when a deeper master may not fit (E_SOURCE_DEPTH, or dither with
 * allowReduceDepth). One row per case.
 */
import { describe, expect, it } from 'vitest';
import { outputRecipe } from '../../../src/plan/recipe.js';
import { dsdPolicy } from '../../../src/sources/dsd.js';
import { planHashes } from '../../../src/transcode/hash-plan.js';
import { output, preset, source } from '../builders.js';

const flac = preset('flac', 'flac', { encoder: 'flac', lossless: true });
const flacReduce = preset('flac-r', 'flac', { encoder: 'flac', lossless: true, allowReduceDepth: true });
const flacCd = preset('flac-cd', 'flac', {
  encoder: 'flac',
  lossless: true,
  bitDepth: 16,
  sampleRates: [44100],
  dither: true,
});
const alac = preset('alac', 'm4a', { encoder: 'alac', lossless: true });
const mp3 = preset('mp3', 'mp3', { encoder: 'libmp3lame' });
const ctx = { soxr: true };

describe('bit depth in lossless targets', () => {
  it.each([
    ['16-bit FLAC master', flac, { codec: 'FLAC', bitsPerSample: 16 }, 's16', []],
    ['8-bit WAV', flac, { codec: 'PCM', bitsPerSample: 8 }, 's16', []],
    ['12-bit FLAC', flac, { codec: 'FLAC', bitsPerSample: 12 }, 's16', []],
    ['20-bit FLAC', flac, { codec: 'FLAC', bitsPerSample: 20 }, 's24', []],
    ['24-bit WAV', flac, { codec: 'PCM', bitsPerSample: 24 }, 's24', []],
    ['32-bit, int or float unknown', flac, { codec: 'PCM', bitsPerSample: 32 }, 'f64', ['-sample_fmt', 's32']],
    ['32-bit integer', flac, { codec: 'pcm_s32le', bitsPerSample: 32 }, 's32', ['-bits_per_raw_sample', '24']],
    ['32-bit float', flac, { codec: 'pcm_f32le', bitsPerSample: 32 }, 'f32', ['-bits_per_raw_sample', '24']],
    ['24-bit into ALAC', alac, { codec: 'FLAC', bitsPerSample: 24 }, 's24', []],
    ['32-bit into ALAC (planar s32)', alac, { codec: 'pcm_s32le', bitsPerSample: 32 }, 's32', ['-sample_fmt', 's32p']],
  ])('%s: proven at %s', (_name, p, src, format, args) => {
    const r = outputRecipe(p, source(src), ctx);
    expect(r.bitExact?.format).toBe(format);
    for (const a of args) expect(r.args).toContain(a);
    expect(!!r.bitExact?.mayNotFit).toBe((src.bitsPerSample ?? 0) > 24);
  });

  it('32-bit integer into FLAC where ffmpeg writes 32-bit FLAC: stored whole, no doubt it fits', () => {
    const r = outputRecipe(flac, source({ codec: 'pcm_s32le', bitsPerSample: 32 }), { ...ctx, flac32: true });
    expect(r.args.join(' ')).toContain('-sample_fmt s32 -bits_per_raw_sample 32 -strict experimental');
    expect(r.bitExact).toEqual({ format: 's32' });
  });

  it('allowReduceDepth: the dithered arguments are ready, with the filter before the muxer', () => {
    const r = outputRecipe(flacReduce, source({ codec: 'pcm_s32le', bitsPerSample: 32 }), ctx);
    expect(r.bitExact?.mayNotFit).toBe('32-bit integer master in 24-bit FLAC');
    const reduce = r.bitExact?.reduceArgs ?? [];
    expect(reduce.join(' ')).toContain('-af aresample=osf=s32:output_sample_bits=24:dither_method=triangular');
    expect(reduce.slice(-2)).toEqual(['-f', 'flac']);
    // Without the option there is nothing to fall back to: the output fails E_SOURCE_DEPTH.
    expect(outputRecipe(flac, source({ codec: 'pcm_s32le', bitsPerSample: 32 }), ctx).bitExact?.reduceArgs).toBe(
      undefined,
    );
  });

  it.each([
    ['a lossy preset', mp3, { bitsPerSample: 16 }],
    ['a preset that reduces depth on purpose', flacCd, { bitsPerSample: 24 }],
    ['a resampled copy', flacCd, { bitsPerSample: 16, sampleRate: 96000 }],
  ])('no bit-exact proof for %s', (_n, p, src) => {
    expect(outputRecipe(p, source(src), ctx).bitExact).toBeUndefined();
  });

  it('a preset reducing to 24 bits dithers at the 24th bit, not at s32', () => {
    const p = preset('f24', 'flac', { encoder: 'flac', lossless: true, bitDepth: 24 });
    const r = outputRecipe(p, source({ codec: 'pcm_s32le', bitsPerSample: 32 }), ctx);
    expect(r.args.join(' ')).toContain('aresample=osf=s32:output_sample_bits=24:dither_method=triangular');
  });

  it('a DSD master: its lossless copy keeps the policy PCM, proven against the master hashed after that filter', () => {
    const policy = dsdPolicy(352_800);
    const dsd = source({
      codec: 'dsd_lsbf_planar',
      sampleRate: policy.sampleRate,
      bitsPerSample: 24,
      decode: { sampleRate: 352_800, filter: policy.filter },
    });
    const r = outputRecipe(flac, dsd, ctx);
    // Not the depth-fit rule (no mayNotFit, no reduction): 24-bit integer PCM, said so in the output's warnings.
    expect(r.bitExact).toEqual({ format: 's24' });
    expect(r.args.join(' ')).toContain(`-af ${policy.filter}`);
    expect(r.warnings.join()).toMatch(/DSD master: .*24-bit 88\.2 kHz PCM/);
    const hp = planHashes(dsd, [output(flac, r)]);
    expect(hp.hashes).toEqual([{ format: 's24', filter: policy.filter }]);
    expect(hp.outputs.get('flac')).toMatchObject({ format: 's24', hash: 0 });
    // A PCM master is hashed as decoded.
    const pcm = source({ codec: 'pcm_s24le', bitsPerSample: 24 });
    expect(planHashes(pcm, [output(flac, outputRecipe(flac, pcm, ctx))]).hashes).toEqual([{ format: 's24' }]);
  });
});
