/**
 * sample-format.ts and streaminfo.ts: the hash formats (each widens exactly into the wider), a master's exact
 * format, libFLAC's MD5 form, and STREAMINFO parsing.
 */
import { describe, expect, it } from 'vitest';
import { exactFormat, flacMd5Form, masterDepth, widest, type PcmFormat } from '../../../src/sources/sample-format.js';
import { parseStreamInfo } from '../../../src/sources/streaminfo.js';

describe('widest: the narrowest format both hold exactly', () => {
  it.each<[PcmFormat, PcmFormat, PcmFormat]>([
    ['s16', 's16', 's16'],
    ['s8', 's16', 's16'],
    ['s24', 's16', 's24'],
    ['s24', 's32', 's32'],
    ['s24', 'f32', 'f32'],
    ['s32', 'f32', 'f64'],
    ['f32', 'f64', 'f64'],
    ['s16', 'f64', 'f64'],
  ])('%s + %s = %s', (a, b, want) => {
    expect(widest(a, b)).toBe(want);
    expect(widest(b, a)).toBe(want);
  });
});

describe("a master's exact format", () => {
  it.each<[string, number | undefined, PcmFormat]>([
    ['FLAC', 8, 's8'],
    ['FLAC', 12, 's16'],
    ['flac', 20, 's24'],
    ['FLAC', 32, 's32'],
    ['pcm_s32le', 32, 's32'],
    ['pcm_f32le', 32, 'f32'],
    ['pcm_f64le', 64, 'f64'],
    // music-metadata says "PCM" for int and float alike: 32 bits could be either, f64 holds both.
    ['PCM', 32, 'f64'],
    ['PCM', 24, 's24'],
    ['ALAC', undefined, 'f64'],
  ])('%s %s-bit: %s', (codec, bits, want) => {
    expect(exactFormat(masterDepth({ codec, bitsPerSample: bits }))).toBe(want);
  });
});

describe("libFLAC's STREAMINFO MD5 form", () => {
  it.each([
    [8, 's8', undefined],
    [12, 's16', 'volume=volume=0.0625:precision=double'],
    [16, 's16', undefined],
    [20, 's24', 'volume=volume=0.0625:precision=double'],
    [24, 's24', undefined],
    [32, 's32', undefined],
  ])('%i bits: %s', (bits, format, filter) => {
    expect(flacMd5Form(bits)).toEqual(filter ? { format, filter } : { format });
  });
  it('none for impossible depths', () => expect(flacMd5Form(33)).toBeUndefined());
});

describe('STREAMINFO', () => {
  const block = (md5: string) => {
    const b = Buffer.alloc(42);
    b.write('fLaC', 0, 'latin1');
    b.writeUInt32BE(0x80000022, 4); // last block, STREAMINFO, length 34
    // 44100 Hz, 2 channels, 24 bits, 2^32 + 5 samples.
    b.writeUInt32BE((44100 << 12) | (1 << 9) | (23 << 4) | 1, 18);
    b.writeUInt32BE(5, 22);
    Buffer.from(md5, 'hex').copy(b, 26);
    return b;
  };
  it('reads rate, channels, depth, length and MD5', () => {
    expect(parseStreamInfo(block('00112233445566778899aabbccddeeff'))).toEqual({
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 24,
      totalSamples: 2 ** 32 + 5,
      md5: '00112233445566778899aabbccddeeff',
    });
  });
  it('an all-zero MD5 is no MD5', () => expect(parseStreamInfo(block('0'.repeat(32)))?.md5).toBeUndefined());
  it('not FLAC: undefined', () => expect(parseStreamInfo(Buffer.alloc(42))).toBeUndefined());
});
