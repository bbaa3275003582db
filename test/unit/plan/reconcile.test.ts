/**
 * reconcile.ts: album grouping, album loudness gated over all of an album's blocks, and which outputs need a retag.
 */
import { describe, expect, it } from 'vitest';
import type { TrackLoudness } from '../../../src/tagging/loudness.js';
import { albumKey, desiredTagsHash, gainsBySource, planRetags, type TagSettings } from '../../../src/plan/reconcile.js';
import { FLAC, MP3, OGG, OPUS, output, plan, preset, source } from '../builders.js';

const T: TagSettings = { id3Version: 4, loudness: true };
const track = (path: string, tags: [string, string][]) => source({ path, tags });
const loud = (lufs: number | undefined, peak: number, blocks: Record<string, number>): TrackLoudness => ({
  ...(lufs !== undefined ? { integratedLufs: lufs } : {}),
  peakDbfs: peak,
  peak: 'true' as const,
  blocks,
});

describe('albumKey', () => {
  it.each([
    ['no ALBUM tag: not part of an album', '/m/A/1.flac', [['TITLE', 'x']], undefined],
    [
      'folder, album and album artist',
      '/m/A/1.flac',
      [
        ['ALBUM', 'Blue'],
        ['ALBUMARTIST', 'J'],
      ],
      '/m/A\0Blue\0J',
    ],
    ['no album artist: empty third part', '/m/A/1.flac', [['ALBUM', 'Blue']], '/m/A\0Blue\0'],
    [
      'the first of several ALBUM values',
      '/m/A/1.flac',
      [
        ['ALBUM', 'One'],
        ['ALBUM', 'Two'],
      ],
      '/m/A\0One\0',
    ],
    ['an empty ALBUM is no album', '/m/A/1.flac', [['ALBUM', '']], undefined],
  ] as [string, string, [string, string][], string | undefined][])('%s', (_n, path, tags, want) => {
    expect(albumKey(track(path, tags))).toBe(want);
  });

  it('the same album name in two folders is two albums', () => {
    expect(albumKey(track('/m/A/1.flac', [['ALBUM', 'Hits']]))).not.toBe(
      albumKey(track('/m/B/1.flac', [['ALBUM', 'Hits']])),
    );
  });
});

describe('gainsBySource', () => {
  const album: [string, string][] = [
    ['ALBUM', 'Blue'],
    ['ALBUMARTIST', 'J'],
  ];
  const a = track('/m/A/1.flac', album);
  const b = track('/m/A/2.flac', album);

  it('album loudness is gated over every block of the album, not the mean of track loudnesses', () => {
    // Energies: 10 blocks at -20 and 10 at -35 -> ungated -22.88 LUFS, relative gate -32.88: the -35 blocks drop out.
    const g = gainsBySource(
      [a, b],
      new Map([
        [a.path, loud(-20, -1, { '-200': 10 })],
        [b.path, loud(-35, -6, { '-350': 10 })],
      ]),
    );
    expect(g.get(a.path)!.album!.lufs).toBeCloseTo(-20, 10);
    expect(g.get(b.path)!.album).toEqual(g.get(a.path)!.album);
  });

  it("track gains are each track's own; album peak is the loudest track's", () => {
    const g = gainsBySource(
      [a, b],
      new Map([
        [a.path, loud(-20, -1, { '-200': 10 })],
        [b.path, loud(-25, -0.5, { '-250': 10 })],
      ]),
    );
    expect(g.get(a.path)!.track).toEqual({ lufs: -20, peakDbfs: -1 });
    expect(g.get(b.path)!.track).toEqual({ lufs: -25, peakDbfs: -0.5 });
    expect(g.get(a.path)!.album!.peakDbfs).toBe(-0.5);
    expect(g.get(a.path)!.album!.lufs).toBeCloseTo(10 * Math.log10((10 ** -2 + 10 ** -2.5) / 2), 10);
  });

  it.each([
    [
      'a track without an album gets a track gain only',
      [['TITLE', 'x']],
      loud(-20, -1, { '-200': 5 }),
      { track: { lufs: -20, peakDbfs: -1 } },
    ],
    ['a silent track (no integrated loudness) gets nothing', [['TITLE', 'x']], loud(undefined, -Infinity, {}), {}],
    ['a silent album gets no album gain', album, loud(undefined, -Infinity, { '-900': 20 }), {}],
    ['a source not measured gets nothing', [['TITLE', 'x']], undefined, {}],
  ] as [string, [string, string][], TrackLoudness | undefined, object][])('%s', (_n, tags, l, want) => {
    const s = track('/m/C/1.flac', tags);
    expect(gainsBySource([s], new Map(l ? [[s.path, l]] : [])).get(s.path)).toEqual(want);
  });
});

describe('desiredTagsHash', () => {
  const covered = source({ cover: { from: 'embedded', index: 0 } });
  const gains = { track: { lufs: -20, peakDbfs: -1 } };
  it.each([
    ['art: a cover counts for FLAC', FLAC, covered, source(), undefined, false],
    [
      'art: not when the preset turns art off',
      preset('flac-noart', 'flac', { art: false }),
      covered,
      source(),
      undefined,
      true,
    ],
    ['art: a cover counts for Ogg Vorbis (its own writer, as for MP4)', OGG, covered, source(), undefined, false],
    ['gains: count for MP3', MP3, source(), source(), gains, false],
    ['gains: count for Ogg Vorbis', OGG, source(), source(), gains, false],
  ] as const)('%s', (_n, p, s1, s2, g, same) => {
    const h1 = desiredTagsHash(s1, output(p), g, T);
    const h2 = desiredTagsHash(s2, output(p), undefined, T);
    expect(h1 === h2).toBe(same);
  });
});

describe('planRetags', () => {
  const s = source();
  const outs = [output(FLAC), output(MP3), output(OPUS), output(OGG)];
  const want = (o: ReturnType<typeof output>) => desiredTagsHash(s, o, undefined, T);
  const ids = (jobs: ReturnType<typeof planRetags>) => jobs.flatMap((j) => j.outputs.map((o) => o.preset.id));

  it.each([
    ['outputs that are not good (no hash) are never retagged', () => undefined, []],
    [
      'outputs whose hash is what it should be are left alone',
      (_s: unknown, o: ReturnType<typeof output>) => want(o),
      [],
    ],
    [
      'every good output with another hash, Ogg Vorbis included',
      () => 'stale',
      ['flac', 'mp3-v0', 'opus-128', 'vorbis'],
    ],
    [
      'only the stale ones among good outputs',
      (_s: unknown, o: ReturnType<typeof output>) => (o.preset.id === 'mp3-v0' ? 'old' : want(o)),
      ['mp3-v0'],
    ],
  ] as [string, Parameters<typeof planRetags>[3], string[]][])('%s', (_n, current, want) => {
    expect(ids(planRetags([plan(s, outs)], new Map(), T, current))).toEqual(want);
  });

  it("one retag job per source: no measuring, carrying the source's gains", () => {
    const g = { track: { lufs: -20, peakDbfs: -1 } };
    const jobs = planRetags([plan(s, [output(FLAC)])], new Map([[s.path, g]]), T, () => 'stale');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: 'retag', source: s, measureLoudness: false, gains: g });
    expect(planRetags([plan(s, [output(FLAC)])], new Map(), T, () => 'stale')[0]).not.toHaveProperty('gains');
  });
});
