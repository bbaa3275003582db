/**
 * tagging/compose.ts: the entries each target gets, the hash that decides a retag, and the ID3 frames derived from entries.
 */
import { describe, expect, it } from 'vitest';
import { id3Frames, tagState, targetEntries, type TagContext } from '../../../src/tagging/compose.js';
import type { Id3Frame } from '../../../src/tagging/id3v2.js';
import type { TagEntries } from '../../../src/tagging/vorbis-comment.js';

const gains = { track: { lufs: -20, peakDbfs: -1 } };
const src: TagEntries = [
  ['TITLE', 'T'],
  ['ENCODER', 'old'],
  ['R128_TRACK_GAIN', '5'],
  ['REPLAYGAIN_TRACK_GAIN', '-9.00 dB'],
  ['MYKEY', 'x'],
];
const kept: TagEntries = [
  ['TITLE', 'T'],
  ['MYKEY', 'x'],
];

describe('targetEntries', () => {
  it.each([
    [
      "FLAC without gains: what is carried, the source's ReplayGain too",
      { writer: 'flac', id3Version: 4 },
      [...kept.slice(0, 1), ['REPLAYGAIN_TRACK_GAIN', '-9.00 dB'], ['MYKEY', 'x']],
    ],
    [
      "FLAC with gains: measured ReplayGain replaces the source's",
      { writer: 'flac', id3Version: 4, gains },
      [
        ...kept,
        ['REPLAYGAIN_TRACK_GAIN', '2.00 dB'],
        ['REPLAYGAIN_TRACK_PEAK', '0.891251'],
        ['REPLAYGAIN_REFERENCE_LOUDNESS', '-18.00 LUFS'],
      ],
    ],
    [
      'MP3 with gains: ReplayGain as for FLAC',
      { writer: 'id3v2', id3Version: 3, gains },
      [
        ...kept,
        ['REPLAYGAIN_TRACK_GAIN', '2.00 dB'],
        ['REPLAYGAIN_TRACK_PEAK', '0.891251'],
        ['REPLAYGAIN_REFERENCE_LOUDNESS', '-18.00 LUFS'],
      ],
    ],
    ['Opus without gains: no ReplayGain strings ever', { writer: 'opus', id3Version: 4 }, kept],
    [
      'Opus with gains: R128 integers',
      { writer: 'opus', id3Version: 4, gains },
      [...kept, ['R128_TRACK_GAIN', '-768']],
    ],
    [
      "loudness on but nothing measured: the source's gains are dropped",
      { writer: 'flac', id3Version: 4, gains: {} },
      kept,
    ],
  ] as [string, TagContext, TagEntries][])('%s', (_n, ctx, want) => {
    expect(targetEntries(src, ctx)).toEqual(want);
  });
});

describe('tagState', () => {
  type In = Parameters<typeof tagState>[0];
  const base: In = {
    entries: [
      ['TITLE', 'T'],
      ['ARTIST', 'A'],
    ],
    writer: 'id3v2',
    id3Version: 4,
    loudness: true,
    gains,
    art: true,
    cover: { from: 'folder', path: '/m/A/cover.jpg', size: 10, mtimeMs: 1 },
  };
  const hash = (o: Partial<In>) => tagState({ ...base, ...o }).hash;

  it('is a 16-digit hex hash, the same for equal inputs', () => {
    expect(hash({})).toMatch(/^[0-9a-f]{16}$/);
    expect(
      hash({
        entries: [
          ['TITLE', 'T'],
          ['ARTIST', 'A'],
        ],
        gains: { track: { lufs: -20, peakDbfs: -1 } },
      }),
    ).toBe(hash({}));
  });

  it.each([
    [
      'a tag value',
      {
        entries: [
          ['TITLE', 'T2'],
          ['ARTIST', 'A'],
        ],
      },
    ],
    [
      'the order of values',
      {
        entries: [
          ['ARTIST', 'A'],
          ['TITLE', 'T'],
        ],
      },
    ],
    [
      'an added value',
      {
        entries: [
          ['TITLE', 'T'],
          ['ARTIST', 'A'],
          ['ARTIST', 'B'],
        ],
      },
    ],
    ['the track gain', { gains: { track: { lufs: -21, peakDbfs: -1 } } }],
    ['an album gain appearing', { gains: { ...gains, album: { lufs: -20, peakDbfs: -1 } } }],
    ['loudness turned off', { loudness: false }],
    ['the cover file changed', { cover: { from: 'folder', path: '/m/A/cover.jpg', size: 10, mtimeMs: 2 } }],
    ['another cover', { cover: { from: 'embedded', index: 0 } }],
    ['the art size limit', { artMaxSize: 500 }],
    ['art turned off', { art: false }],
    ['the writer', { writer: 'flac' }],
    ['the ID3 version, for an ID3 writer', { id3Version: 3 }],
  ] as [string, Partial<In>][])('changes with %s', (_n, o) => {
    expect(hash(o)).not.toBe(hash({}));
  });

  it.each([
    ['the ID3 version, for a Vorbis writer', { writer: 'flac' }, { id3Version: 3 }],
    ['gains, with loudness off', { loudness: false }, { gains: { album: { lufs: -5, peakDbfs: 0 } } }],
    ['the cover, with art off', { art: false }, { cover: { from: 'embedded', index: 3 } }],
    ['gains and cover, for an ffmpeg-tagged container', { writer: 'ffmpeg' }, { gains: undefined, cover: undefined }],
    [
      'a tag audiofan never carries',
      {},
      {
        entries: [
          ['TITLE', 'T'],
          ['ENCODER', 'x'],
          ['ARTIST', 'A'],
        ],
      },
    ],
  ] as [string, Partial<In>, Partial<In>][])('stays the same across %s', (_n, ctx, o) => {
    expect(hash({ ...ctx, ...o })).toBe(hash(ctx));
  });

  it('returns the gains written: none with loudness off or for ffmpeg; {} when on but unmeasured', () => {
    expect(tagState({ ...base, loudness: false }).gains).toBeUndefined();
    expect(tagState({ ...base, writer: 'ffmpeg' }).gains).toBeUndefined();
    expect(tagState({ ...base, gains: undefined }).gains).toEqual({});
    expect(tagState(base).entries.map(([k]) => k)).toEqual([
      'TITLE',
      'ARTIST',
      'REPLAYGAIN_TRACK_GAIN',
      'REPLAYGAIN_TRACK_PEAK',
      'REPLAYGAIN_REFERENCE_LOUDNESS',
    ]);
  });
});

describe("id3Frames (Picard's ID3 conventions)", () => {
  const txt = (id: string, ...values: string[]): Id3Frame => ({ id, kind: 'text', values });
  const txxx = (description: string, ...values: string[]): Id3Frame => ({
    id: 'TXXX',
    kind: 'txxx',
    description,
    values,
  });
  it.each([
    ['a plain text frame', [['TITLE', 'T']], 4, [txt('TIT2', 'T')]],
    [
      'multi-valued: one frame with every value (v2.4)',
      [
        ['ARTIST', 'A'],
        ['ARTIST', 'B'],
      ],
      4,
      [txt('TPE1', 'A', 'B')],
    ],
    [
      'multi-valued: one frame with every value (v2.3; joined when encoded)',
      [
        ['GENRE', 'Jazz'],
        ['GENRE', 'Funk'],
      ],
      3,
      [txt('TCON', 'Jazz', 'Funk')],
    ],
    ['a TXXX rule', [['MUSICBRAINZ_ALBUMID', 'id1']], 4, [txxx('MusicBrainz Album Id', 'id1')]],
    [
      'an unknown key: TXXX named after it',
      [
        ['MYKEY', 'a'],
        ['MYKEY', 'b'],
      ],
      4,
      [txxx('MYKEY', 'a', 'b')],
    ],
    ['a full date, v2.4: TDRC', [['DATE', '2021-03-04']], 4, [txt('TDRC', '2021-03-04')]],
    [
      'a full date, v2.3: TYER and TDAT (DDMM)',
      [['DATE', '2021-03-04']],
      3,
      [txt('TYER', '2021'), txt('TDAT', '0403')],
    ],
    ['a year, v2.3: TYER only', [['DATE', '2021']], 3, [txt('TYER', '2021')]],
    ['original date, v2.3: TORY, year only', [['ORIGINALDATE', '1999-05-06']], 3, [txt('TORY', '1999')]],
    [
      'track number with total',
      [
        ['TRACKNUMBER', '3'],
        ['TRACKTOTAL', '12'],
      ],
      4,
      [txt('TRCK', '3/12')],
    ],
    [
      'track number with TOTALTRACKS',
      [
        ['TOTALTRACKS', '9'],
        ['TRACKNUMBER', '3'],
      ],
      4,
      [txt('TRCK', '3/9')],
    ],
    [
      'a track number already "n/N" is kept',
      [
        ['TRACKNUMBER', '3/10'],
        ['TRACKTOTAL', '12'],
      ],
      4,
      [txt('TRCK', '3/10')],
    ],
    [
      'disc number with total',
      [
        ['DISCNUMBER', '1'],
        ['DISCTOTAL', '2'],
      ],
      4,
      [txt('TPOS', '1/2')],
    ],
    [
      'a total with no number: TXXX',
      [
        ['TRACKTOTAL', '12'],
        ['DISCTOTAL', '2'],
      ],
      4,
      [txxx('TRACKTOTAL', '12'), txxx('DISCTOTAL', '2')],
    ],
    [
      'comments: COMM, joined by newlines',
      [
        ['COMMENT', 'a'],
        ['COMMENT', 'b'],
        ['DESCRIPTION', 'd'],
      ],
      4,
      [
        { id: 'COMM', kind: 'lang', description: '', text: 'a\nb' },
        { id: 'COMM', kind: 'lang', description: 'description', text: 'd' },
      ],
    ],
    ['lyrics: USLT', [['LYRICS', 'la la']], 3, [{ id: 'USLT', kind: 'lang', description: '', text: 'la la' }]],
    [
      'MusicBrainz track id: UFID',
      [['MUSICBRAINZ_TRACKID', 'abc']],
      4,
      [{ id: 'UFID', kind: 'ufid', owner: 'http://musicbrainz.org', identifier: 'abc' }],
    ],
    [
      'performers, v2.4: TMCL pairs (instrument, name)',
      [
        ['PERFORMER', 'Jane Doe (piano)'],
        ['PERFORMER', 'John'],
      ],
      4,
      [
        {
          id: 'TMCL',
          kind: 'pairs',
          pairs: [
            ['piano', 'Jane Doe'],
            ['performer', 'John'],
          ],
        },
      ],
    ],
    [
      'performers, v2.3: IPLS',
      [['PERFORMER', 'Jane (alto sax)']],
      3,
      [{ id: 'IPLS', kind: 'pairs', pairs: [['alto sax', 'Jane']] }],
    ],
  ] as [string, TagEntries, 3 | 4, Id3Frame[]][])('%s', (_n, entries, v, want) => {
    expect(id3Frames(entries, v, [])).toEqual(want);
  });

  it('pictures come last, as APIC', () => {
    const picture = {
      type: 3,
      mime: 'image/png',
      description: '',
      width: 1,
      height: 1,
      depth: 24,
      colors: 0,
      data: new Uint8Array([1]),
    };
    expect(id3Frames([['TITLE', 'T']], 4, [picture]).map((f) => f.id)).toEqual(['TIT2', 'APIC']);
  });

  it('a TOTALTRACKS with no number is not lost', () => {
    expect(id3Frames([['TOTALTRACKS', '12']], 4, [])).toEqual([txxx('TOTALTRACKS', '12')]);
  });

  // ID3v2 allows one text frame per id: two keys with one frame rule are merged into one frame.
  it.each([
    [
      'LABEL and ORGANIZATION: one TPUB',
      [
        ['LABEL', 'L'],
        ['ORGANIZATION', 'O'],
      ],
      'TPUB',
    ],
    [
      'LYRICS and UNSYNCEDLYRICS: one USLT',
      [
        ['LYRICS', 'a'],
        ['UNSYNCEDLYRICS', 'b'],
      ],
      'USLT',
    ],
  ] as [string, TagEntries, string][])('%s', (_n, entries, id) => {
    expect(id3Frames(entries, 4, []).filter((f) => f.id === id)).toHaveLength(1);
  });
});
