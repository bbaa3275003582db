/**
 * loudness.ts: ebur128 log parsing, BS.1770 gating checked against hand computations, and the gain tag formats.
 */
import { describe, expect, it } from 'vitest';
import { gatedLoudness, LoudnessMeter, r128Entries, replayGainEntries } from '../../../src/tagging/loudness.js';

// Lines as ffmpeg 5.1 prints them with -loglevel verbose and ebur128=peak=true:framelog=verbose (stereo: two peaks).
const tag = '[Parsed_ebur128_1 @ 0x55d249d81e00]';
const frame = (t: string, m: string) =>
  `${tag} t: ${t}  TARGET:-23 LUFS    M:${m} S:-120.7     I: -21.1 LUFS       LRA:   0.0 LU  FTPK: -18.1 -24.1 dBFS  TPK: -18.1 -24.1 dBFS`;
const summary = (peak: string) => [
  `${tag} Summary:`,
  '',
  '  Integrated loudness:',
  '    I:         -21.1 LUFS',
  '    Threshold: -31.1 LUFS',
  '',
  '  True peak:',
  `    Peak:      ${peak} dBFS`,
];
const meter = (lines: string[], kind: 'sample' | 'true' = 'true') => {
  const m = new LoudnessMeter(kind);
  for (const l of lines) m.line(l);
  return m.result();
};

describe('LoudnessMeter', () => {
  it("counts each 100 ms line's momentary loudness in 0.1 LU bins, and takes the peak from the summary, half a print step up", () => {
    const r = meter([
      frame('0.0999773', '-120.7'),
      frame('0.399977', ' -21.1'),
      frame('0.499977', ' -21.1'),
      frame('0.599977', ' -18.0'),
      ...summary('-18.1'),
    ]);
    expect(r).toEqual({
      peakDbfs: -18.05,
      peak: 'true',
      blocks: { '-1207': 1, '-211': 2, '-180': 1 },
      integratedLufs: expect.any(Number),
    });
    // By hand: the -120.7 block is under the absolute gate; the rest are within 10 LU of their energy mean.
    expect(r!.integratedLufs).toBeCloseTo(10 * Math.log10((2 * 10 ** -2.11 + 10 ** -1.8) / 3), 9);
  });

  it.each([
    [
      'a frame line after a progress line on the same line is counted',
      [`size=N/A time=00:00:00.00 bitrate=N/A speed=N/A    ${frame('0.0999773', ' -20.0')}`],
      { '-200': 1 },
    ],
    ['lines of other filters are ignored', [frame('0.1', ' -20.0').replace('Parsed_ebur128_1', 'Parsed_volume_0')], {}],
    ['the running I: and the frame TPK: are not momentary loudness', [frame('0.4', ' -30.0')], { '-300': 1 }],
  ] as [string, string[], Record<string, number>][])('%s', (_n, lines, blocks) => {
    expect(meter([...lines, ...summary('-1.0')])!.blocks).toEqual(blocks);
  });

  it.each([
    ['no summary yet: no result', [frame('0.4', ' -20.0')], undefined],
    [
      'silence: peak -inf, no integrated loudness',
      [frame('0.4', '-163.2'), ...summary(' -inf')],
      { peakDbfs: -Infinity, peak: 'true', blocks: { '-1632': 1 } },
    ],
    ['a positive true peak', summary('  0.5'), { peakDbfs: 0.55, peak: 'true', blocks: {} }],
  ] as [string, string[], object | undefined][])('%s', (_n, lines, want) => {
    const r = meter(lines);
    expect(r).toEqual(want);
    if (r) expect(r.integratedLufs).toBeUndefined();
  });
});

it('a sample-peak meter reads the "Sample peak:" summary and says which peak it holds; full scale stays full scale', () => {
  const sample = (peak: string) => summary(peak).map((l) => l.replace('True peak:', 'Sample peak:'));
  expect(meter(sample('-3.2'), 'sample')).toEqual({ peakDbfs: -3.15, peak: 'sample', blocks: {} });
  expect(meter(sample(' -0.0'), 'sample')!.peakDbfs).toBe(0);
  expect(meter(sample('  0.3'), 'sample')!.peakDbfs).toBe(0.35);
  expect(meter(summary(' -0.0'), 'true')!.peakDbfs).toBe(0.05);
});

describe('gatedLoudness (BS.1770: absolute gate -70 LUFS, relative gate -10 LU)', () => {
  const lufs = (...blocks: [number, number][]) =>
    10 * Math.log10(blocks.reduce((a, [l, n]) => a + n * 10 ** (l / 10), 0) / blocks.reduce((a, [, n]) => a + n, 0));
  it.each([
    ['no blocks: undefined', [{}], undefined],
    ['only blocks at or below -70 LUFS: undefined', [{ '-700': 5, '-1207': 30 }], undefined],
    ['one level: that level', [{ '-200': 7 }], -20],
    [
      'two levels within 10 LU: their energy mean, not their mean',
      [{ '-200': 1, '-250': 1 }],
      lufs([-20, 1], [-25, 1]),
    ],
    ['relative gate: -35 is more than 10 LU under the ungated -22.9', [{ '-200': 10, '-350': 10 }], -20],
    [
      'relative gate: -32 is less than 10 LU under the ungated -22.7',
      [{ '-200': 10, '-320': 10 }],
      lufs([-20, 10], [-32, 10]),
    ],
    // Without the absolute gate the -75 blocks would pull the relative gate to -40.6 and keep the -33 block.
    ['absolute gate first: -75 blocks do not lower the relative gate', [{ '-200': 1, '-330': 1, '-750': 10 }], -20],
    ['-69.9 passes the absolute gate', [{ '-699': 3 }], -69.9],
    ['an album: the blocks of all tracks gated together', [{ '-200': 10 }, { '-350': 10 }], -20],
    ['an album of tracks within 10 LU', [{ '-200': 3 }, { '-240': 1 }], lufs([-20, 3], [-24, 1])],
  ] as [string, Record<string, number>[], number | undefined][])('%s', (_n, h, want) => {
    const got = gatedLoudness(h);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(want, 9);
  });
});

describe('replayGainEntries (ReplayGain 2.0, reference -18 LUFS)', () => {
  it.each([
    ['none known: no tags', {}, []],
    [
      'track: gain to -18 LUFS in dB, peak as linear amplitude, and the reference',
      { track: { lufs: -14.8, peakDbfs: -1 } },
      [
        ['REPLAYGAIN_TRACK_GAIN', '-3.20 dB'],
        ['REPLAYGAIN_TRACK_PEAK', '0.891251'],
        ['REPLAYGAIN_REFERENCE_LOUDNESS', '-18.00 LUFS'],
      ],
    ],
    [
      'album only, quiet (positive gain), full-scale peak',
      { album: { lufs: -25, peakDbfs: 0 } },
      [
        ['REPLAYGAIN_ALBUM_GAIN', '7.00 dB'],
        ['REPLAYGAIN_ALBUM_PEAK', '1.000000'],
        ['REPLAYGAIN_REFERENCE_LOUDNESS', '-18.00 LUFS'],
      ],
    ],
    [
      'track then album; a silent peak is 0',
      { album: { lufs: -18, peakDbfs: 0.5 }, track: { lufs: -20.004, peakDbfs: -Infinity } },
      [
        ['REPLAYGAIN_TRACK_GAIN', '2.00 dB'],
        ['REPLAYGAIN_TRACK_PEAK', '0.000000'],
        ['REPLAYGAIN_ALBUM_GAIN', '0.00 dB'],
        ['REPLAYGAIN_ALBUM_PEAK', '1.059254'],
        ['REPLAYGAIN_REFERENCE_LOUDNESS', '-18.00 LUFS'],
      ],
    ],
  ] as [string, Parameters<typeof replayGainEntries>[0], [string, string][]][])('%s', (_n, g, want) => {
    expect(replayGainEntries(g)).toEqual(want);
  });
});

describe('r128Entries (RFC 7845: Q7.8 integers relative to -23 LUFS)', () => {
  it.each([
    ['none known: no tags', {}, []],
    ['at the reference: 0', { track: { lufs: -23, peakDbfs: 0 } }, [['R128_TRACK_GAIN', '0']]],
    ['louder: negative, x256, rounded', { track: { lufs: -14.8, peakDbfs: 0 } }, [['R128_TRACK_GAIN', '-2099']]],
    [
      'quieter: positive; track before album',
      { album: { lufs: -30, peakDbfs: 0 }, track: { lufs: -23.5, peakDbfs: 0 } },
      [
        ['R128_TRACK_GAIN', '128'],
        ['R128_ALBUM_GAIN', '1792'],
      ],
    ],
    ['clamped to int16 above', { track: { lufs: -200, peakDbfs: 0 } }, [['R128_TRACK_GAIN', '32767']]],
    ['clamped to int16 below', { album: { lufs: 150, peakDbfs: 0 } }, [['R128_ALBUM_GAIN', '-32768']]],
  ] as [string, Parameters<typeof r128Entries>[0], [string, string][]][])('%s', (_n, g, want) => {
    expect(r128Entries(g)).toEqual(want);
  });
});
