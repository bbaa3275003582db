/**
 * integrity.ts and decode-report.ts: what makes a master damaged, one row per reason, and which stderr lines
 * count as decode errors.
 */
import { describe, expect, it } from 'vitest';
import { DecodeReport } from '../../../src/ffmpeg/decode-report.js';
import { judgeMaster, type DecodedFacts } from '../../../src/transcode/integrity.js';

const si = { sampleRate: 44100, channels: 2, bitsPerSample: 16, totalSamples: 1000, md5: 'a'.repeat(32) };
const facts = (f: Partial<DecodedFacts>): DecodedFacts => ({
  streamInfo: si,
  streamInfoMd5: 'a'.repeat(32),
  decodedChannels: 2,
  decodedSamples: 1000,
  decodeErrors: 0,
  describeErrors: () => '2 decode errors (first: [flac] CRC error at PTS 4096)',
  ...f,
});

describe('judgeMaster', () => {
  it.each<[string, Partial<DecodedFacts>, RegExp | undefined]>([
    ['clean', {}, undefined],
    ['decode errors', { decodeErrors: 2 }, /ffmpeg reported 2 decode errors \(first: \[flac\] CRC error/],
    ['MD5 mismatch', { streamInfoMd5: 'b'.repeat(32) }, /does not match the MD5 in its STREAMINFO/],
    ['frames hold other channels', { decodedChannels: 1 }, /STREAMINFO says 2 channels but its frames hold 1/],
    ['fewer samples than promised', { decodedSamples: 900 }, /decodes to 900 samples .* STREAMINFO says 1000/],
    [
      'no STREAMINFO MD5 to compare',
      { streamInfo: { ...si, md5: undefined }, streamInfoMd5: 'b'.repeat(32) },
      undefined,
    ],
    ['not FLAC, clean', { streamInfo: undefined, decodedChannels: 1 }, undefined],
    ['not FLAC, decode errors', { streamInfo: undefined, decodeErrors: 1 }, /decode errors/],
  ])('%s', (_name, f, want) => {
    const v = judgeMaster(facts(f));
    if (want) expect(v.damage.join('; ')).toMatch(want);
    else expect(v.damage).toEqual([]);
  });
  it('more samples than STREAMINFO says: a warning, not damage', () => {
    const v = judgeMaster(facts({ decodedSamples: 1200 }));
    expect(v.damage).toEqual([]);
    expect(v.warnings.join()).toMatch(/1200 samples/);
  });
});

describe('DecodeReport', () => {
  const read = (lines: string[]) => {
    const r = new DecodeReport();
    for (const l of lines) r.line(l);
    return r;
  };
  const head = [
    "Input #0, flac, from 'file:x.flac':",
    '  Stream #0:0 -> #0:0 (flac (native) -> libmp3lame (libmp3lame))',
  ];
  it('counts the input decoder complaints and ffmpeg decode failures, repeats included', () => {
    const r = read([
      ...head,
      '[flac @ 0x55bd314ace00] CRC error at PTS 61440',
      '    Last message repeated 2 times',
      'Error while decoding stream #0:0: Invalid data found when processing input',
    ]);
    expect(r.errors).toBe(4);
    expect(r.describe()).toBe('4 decode errors (first: [flac] CRC error at PTS 61440)');
  });
  it("ignores an encoder's or a filter's lines, and clean runs' chatter", () => {
    const r = read([
      ...head,
      '[libmp3lame @ 0x1] invalid something',
      '[Parsed_ebur128_0 @ 0x2] error-like summary',
      'Routing option err_detect to both codec and muxer layer',
      '[flac @ 0x3] encoding as 24 bits-per-sample',
    ]);
    expect(r.errors).toBe(0);
  });
  it('reads the bytes each output received', () => {
    const r = read([
      '  Output stream #2:0 (audio): 24 frames encoded (97391 samples); 24 packets muxed (194782 bytes); ',
    ]);
    expect(r.outputs.get(2)).toEqual({ samples: 97391, bytes: 194782 });
  });
});
