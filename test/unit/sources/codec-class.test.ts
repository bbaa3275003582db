/**
 * codec-class.ts and dsd.ts: which ffmpeg codecs make a lossless master, and how DSD becomes PCM. Tables.
 */
import { describe, expect, it } from 'vitest';
import { codecClass, pcmBits } from '../../../src/sources/codec-class.js';
import { dsdPolicy } from '../../../src/sources/dsd.js';

describe('codecClass', () => {
  it.each([
    ...['flac', 'alac', 'wavpack', 'ape', 'tta', 'tak', 'shorten', 'wmalossless', 'mlp', 'truehd', 'mp4als'].map(
      (c) => [c, 'lossless'] as const,
    ),
    ...['pcm_u8', 'pcm_s8', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_s32le', 'pcm_s32be'].map(
      (c) => [c, 'lossless'] as const,
    ),
    ...['pcm_f32le', 'pcm_f32be', 'pcm_f64le', 'pcm_f64be', 'pcm_s24daud', 'pcm_bluray', 'pcm_dvd'].map(
      (c) => [c, 'lossless'] as const,
    ),
    ...['dsd_lsbf', 'dsd_msbf', 'dsd_lsbf_planar', 'dsd_msbf_planar', 'dst'].map((c) => [c, 'dsd'] as const),
    ...['mp3', 'aac', 'opus', 'vorbis', 'ac3', 'eac3', 'dts', 'wmav2', 'adpcm_ms', 'musepack7', 'none'].map(
      (c) => [c, 'lossy'] as const,
    ),
    // G.711 companding keeps 8 of 14 bits: lossy, although ffmpeg names it pcm_*.
    ...['pcm_alaw', 'pcm_mulaw', 'pcm_vidc'].map((c) => [c, 'lossy'] as const),
  ])('%s -> %s', (codec, cls) => {
    expect(codecClass(codec)).toBe(cls);
  });

  it.each([
    ['pcm_u8', 8],
    ['pcm_s24be', 24],
    ['pcm_f32le', 32],
    ['pcm_f64be', 64],
    ['flac', undefined],
  ])('pcmBits(%s) = %s', (codec, bits) => {
    expect(pcmBits(codec)).toBe(bits);
  });
});

describe('dsdPolicy', () => {
  it.each([
    ['DSD64 (2.8224 MHz, decoded at 352.8 kHz)', 352_800, 88_200, 30_000, 'cutoff=0.6803'],
    ['DSD128', 705_600, 176_400, 50_000, 'cutoff=0.5669'],
    ['DSD256', 1_411_200, 176_400, 50_000, 'cutoff=0.5669'],
    ['DSD64 at the 48 kHz family rate (3.072 MHz)', 384_000, 88_200, 30_000, 'cutoff=0.6803'],
  ])('%s -> %i Hz, low-pass at %i Hz', (_name, decoded, rate, lowpass, cutoff) => {
    const p = dsdPolicy(decoded);
    expect(p).toMatchObject({ sampleRate: rate, bitsPerSample: 24, lowpassHz: lowpass });
    expect(p.filter).toBe(`aresample=${rate}:resampler=swr:filter_size=128:${cutoff},aformat=sample_fmts=s32`);
  });
});
