/**
 * Fidelity: a source carrying every field (several values where allowed), a back cover first and a
 * large PNG front cover second, converted with every built-in preset (and ID3v2.3); every field is
 * read back with music-metadata and compared. The same source through plain `ffmpeg -map_metadata 0`
 * shows what other tools lose.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IAudioMetadata } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, loadPresets } from '../dist/src/index.js';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { ffmpeg, flacPictureBlocks, readBack, tmp, track } from './helpers.js';

const exec = promisify(execFile);
const ALL = [...loadPresets().values()];
const LONG_LYRICS = Array.from(
  { length: 60 },
  (_, i) => `Line ${i + 1} of lyrics that go on and on, longer than ffmpeg 4.1's 1000-character cut`,
).join('\n');

const ENTRIES: [string, string][] = [
  ['TITLE', 'Fidelity “Ünïcode” Title'],
  ['ARTIST', 'Main Artist feat. Guest'],
  ['ARTISTS', 'Main Artist'],
  ['ARTISTS', 'Guest'],
  ['ALBUM', 'The Album'],
  ['ALBUMARTIST', 'Album Artist'],
  ['TRACKNUMBER', '3'],
  ['TRACKTOTAL', '12'],
  ['DISCNUMBER', '1'],
  ['DISCTOTAL', '2'],
  ['DATE', '2019-04-05'],
  ['ORIGINALDATE', '1999-01-02'],
  ['GENRE', 'Jazz'],
  ['GENRE', 'Fusion'],
  ['COMPOSER', 'Composer One'],
  ['COMPOSER', 'Composer Two'],
  ['LYRICIST', 'Lyric Writer'],
  ['CONDUCTOR', 'The Conductor'],
  ['PERFORMER', 'Pianist Name (piano)'],
  ['PERFORMER', 'Drummer Name (drums)'],
  ['COMMENT', 'A comment'],
  ['LYRICS', LONG_LYRICS],
  ['LABEL', 'Label Records'],
  ['CATALOGNUMBER', 'CAT-001'],
  ['BARCODE', '0123456789012'],
  ['ISRC', 'USRC17607839'],
  ['BPM', '120'],
  ['COMPILATION', '1'],
  ['ARTISTSORT', 'Artist, Main'],
  ['ALBUMARTISTSORT', 'Artist, Album'],
  ['ALBUMSORT', 'Album, The'],
  ['TITLESORT', 'Title, Fidelity'],
  ['MUSICBRAINZ_TRACKID', '11111111-1111-1111-1111-111111111111'],
  ['MUSICBRAINZ_RELEASETRACKID', '22222222-2222-2222-2222-222222222222'],
  ['MUSICBRAINZ_ALBUMID', '33333333-3333-3333-3333-333333333333'],
  ['MUSICBRAINZ_ARTISTID', '44444444-4444-4444-4444-444444444444'],
  ['MUSICBRAINZ_ARTISTID', '55555555-5555-5555-5555-555555555555'],
  ['MUSICBRAINZ_ALBUMARTISTID', '66666666-6666-6666-6666-666666666666'],
  ['MUSICBRAINZ_RELEASEGROUPID', '77777777-7777-7777-7777-777777777777'],
  ['MUSICBRAINZ_WORKID', '88888888-8888-8888-8888-888888888888'],
  ['RELEASESTATUS', 'official'],
  ['RELEASETYPE', 'album'],
  ['RELEASETYPE', 'live'],
  ['RELEASECOUNTRY', 'GB'],
  ['MEDIA', 'CD'],
  ['SCRIPT', 'Latn'],
  ['ASIN', 'B000000000'],
  ['REPLAYGAIN_TRACK_GAIN', '-99.00 dB'],
  ['MY_CUSTOM_FIELD', 'custom one'],
  ['MY_CUSTOM_FIELD', 'custom two'],
];

/** The common fields compared for every container (music-metadata's normalised view). */
const COMMON = [
  'title',
  'artist',
  'artists',
  'album',
  'albumartist',
  'track',
  'disk',
  'date',
  'originaldate',
  'genre',
  'composer',
  'lyricist',
  'conductor',
  'label',
  'catalognumber',
  'barcode',
  'isrc',
  'bpm',
  'compilation',
  'artistsort',
  'albumartistsort',
  'albumsort',
  'titlesort',
  'musicbrainz_recordingid',
  'musicbrainz_trackid',
  'musicbrainz_albumid',
  'musicbrainz_artistid',
  'musicbrainz_albumartistid',
  'musicbrainz_releasegroupid',
  'musicbrainz_workid',
  'releasestatus',
  'releasetype',
  'releasecountry',
  'media',
  'script',
  'asin',
] as const;

function view(m: IAudioMetadata) {
  const c = m.common as unknown as Record<string, unknown>;
  const v: Record<string, unknown> = Object.fromEntries(COMMON.map((k) => [k, c[k]]));
  v.comment = m.common.comment?.map((x) => x.text);
  v.lyrics = m.common.lyrics?.map((x) => x.text);
  return v;
}

let lib: string;
let out: string;
let out23: string;
let source: IAudioMetadata;
let frontPng: Buffer;

beforeAll(async () => {
  lib = await tmp('fidelity-src');
  const raw = await track(join(await tmp('raw'), 'raw.flac'), { seconds: 3 });
  const art = await tmp('art');
  // A noise PNG is far over 128 KiB: it could never travel as a command-line argument.
  await exec(ffmpeg(), [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'nullsrc=s=600x600,geq=random(1)*255:random(2)*255:128',
    '-frames:v',
    '1',
    join(art, 'front.png'),
  ]);
  await exec(ffmpeg(), [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=s=200x200',
    '-frames:v',
    '1',
    join(art, 'back.jpg'),
  ]);
  frontPng = await readFile(join(art, 'front.png'));
  const { pictureFrom } = await import('../dist/src/tagging/picture.js');
  await writeFlacTags(raw, join(lib, 'full.flac'), ENTRIES, [
    pictureFrom(await readFile(join(art, 'back.jpg')), 4, 'the back'), // listed first: a "first picture" rule would pick it
    pictureFrom(frontPng, 3, 'the front, described'),
  ]);
  source = await readBack(join(lib, 'full.flac'));
  out = await tmp('fidelity-out');
  out23 = await tmp('fidelity-out23');
  await convertLibrary({ sources: [lib], output: out, presets: ALL.map((p) => p.id) });
  await convertLibrary({ sources: [lib], output: out23, presets: ['mp3-v0'], id3v2Version: 3 });
});

describe('tags survive every preset', () => {
  it('the source really carries every field (checked independently by music-metadata)', () => {
    expect(source.common.artists).toEqual(['Main Artist', 'Guest']);
    expect(source.common.genre).toEqual(['Jazz', 'Fusion']);
    expect(source.common.lyrics?.[0].text.length).toBeGreaterThan(3000);
    expect(frontPng.length).toBeGreaterThan(128 * 1024);
  });

  for (const p of ALL) {
    it(`${p.id}: every field equal to the source's, multi-valued fields still multi-valued`, async () => {
      const m = await readBack(join(out, p.id, `full.${p.extension}`));
      expect(view(m)).toEqual(view(source));
      if (p.container === 'mp3') {
        const id3 = m.native['ID3v2.4'];
        expect(id3.find((t) => t.id === 'TMCL')!.value).toEqual({ piano: ['Pianist Name'], drums: ['Drummer Name'] });
        expect(id3.filter((t) => t.id === 'TXXX:MY_CUSTOM_FIELD').map((t) => t.value)).toEqual([
          'custom one',
          'custom two',
        ]);
        expect((id3.find((t) => t.id === 'UFID')!.value as { owner_identifier: string }).owner_identifier).toBe(
          'http://musicbrainz.org',
        );
      } else {
        // Vorbis comments: every source entry, in order, except the loudness tags audiofan recomputes.
        const got = m.native.vorbis.filter((t) => typeof t.value === 'string').map((t) => [t.id, t.value]);
        const want = ENTRIES.filter(([k]) => !k.startsWith('REPLAYGAIN_'));
        expect(got.filter(([k]) => !/^(REPLAYGAIN_|R128_)/.test(k as string))).toEqual(want);
      }
    });
  }

  it('ID3v2.3: multi-valued text joined with "/" the way v2.3 readers split it; dates as year (+TDAT)', async () => {
    const m = await readBack(join(out23, 'mp3-v0', 'full.mp3'));
    const id3 = m.native['ID3v2.3'];
    expect(id3).toBeDefined();
    expect(id3.find((t) => t.id === 'TCON')!.value).toBe('Jazz/Fusion');
    expect(m.common.composer).toEqual(['Composer One', 'Composer Two']);
    expect(id3.find((t) => t.id === 'TYER')!.value).toBe('2019');
    expect(id3.find((t) => t.id === 'TDAT')!.value).toBe('0504');
    expect(m.common.musicbrainz_artistid).toEqual([
      '44444444-4444-4444-4444-444444444444',
      '55555555-5555-5555-5555-555555555555',
    ]);
    expect(m.common.lyrics?.[0].text).toBe(LONG_LYRICS);
  });
});

/** User presets in the other containers: MP4 (AAC, ALAC) and Ogg Vorbis, tagged by their own writers. */
const USER = [
  { id: 'aac-256', container: 'm4a', extension: 'm4a', encoder: 'aac', encoderArgs: ['-b:a', '256k'], maxChannels: 2 },
  { id: 'alac', container: 'm4a', extension: 'm4a', encoder: 'alac', encoderArgs: [], lossless: true },
  { id: 'vorbis-q4', container: 'ogg', extension: 'ogg', encoder: 'libvorbis', encoderArgs: ['-q:a', '4'] },
].map((p) => ({ description: p.id, sampleRates: [44100, 48000], ...p }));

describe('tags and cover survive user presets in MP4 and Ogg Vorbis', () => {
  let outUser: string;
  beforeAll(async () => {
    const dir = await tmp('fidelity-presets');
    for (const p of USER) await writeFile(join(dir, `${p.id}.json`), JSON.stringify(p));
    outUser = await tmp('fidelity-user');
    const r = await convertLibrary({
      sources: [lib],
      output: outUser,
      presets: USER.map((p) => p.id),
      presetDirs: [dir],
    });
    expect(r.exitCode).toBe(0);
  });
  for (const p of USER) {
    it(`${p.id}: every field equal to the source's, the front cover with its bytes`, async () => {
      const m = await readBack(join(outUser, p.id, `full.${p.extension}`));
      expect(view(m)).toEqual(view(source));
      expect(m.common.picture).toHaveLength(1);
      expect(Buffer.from(m.common.picture![0].data).equals(frontPng)).toBe(true);
      expect(m.common.replaygain_track_gain?.dB).toEqual(expect.any(Number));
    });
  }
});

describe('cover art', () => {
  for (const container of ['flac', 'mp3', 'opus'] as const) {
    it(`${container}: the front cover (by type, not the first picture) with its bytes, MIME and description`, async () => {
      const id = { flac: 'flac', mp3: 'mp3-v0', opus: 'opus-128' }[container];
      const m = await readBack(join(out, id, `full.${container}`));
      expect(m.common.picture).toHaveLength(1);
      const pic = m.common.picture![0];
      expect(pic.type).toBe('Cover (front)');
      expect(pic.format).toBe('image/png');
      expect(pic.description).toBe('the front, described');
      expect(Buffer.from(pic.data).equals(frontPng)).toBe(true);
    });
  }
  it('FLAC picture blocks record the real dimensions and depth', async () => {
    const [block] = await flacPictureBlocks(join(out, 'flac', 'full.flac'));
    expect(block).toMatchObject({ type: 3, mime: 'image/png', width: 600, height: 600 });
    expect(block.depth).toBeGreaterThanOrEqual(24);
  });
});

describe('what plain ffmpeg -map_metadata 0 loses from the same source', () => {
  const lost: Record<string, string[]> = {};
  for (const [ext, codec] of [
    ['mp3', 'libmp3lame'],
    ['opus', 'libopus'],
  ] as const) {
    it(`${ext}: ffmpeg loses fields that audiofan keeps`, async () => {
      const dest = join(await tmp('plain'), `plain.${ext}`);
      await exec(ffmpeg(), [
        '-v',
        'error',
        '-i',
        join(lib, 'full.flac'),
        '-map',
        '0:a',
        '-map_metadata',
        '0',
        '-c:a',
        codec,
        dest,
      ]);
      const plain = view(await readBack(dest));
      const want = view(source);
      lost[ext] = Object.keys(want).filter(
        (k) => want[k] !== undefined && JSON.stringify(plain[k]) !== JSON.stringify(want[k]),
      );
      const pics = (await readBack(dest)).common.picture ?? [];
      if (pics.length === 0) lost[ext].push('cover');
      // Shown in the test output, so the difference is visible.
      console.log(`plain ffmpeg -map_metadata 0 -> ${ext} loses or changes: ${lost[ext].join(', ')}`);
      expect(lost[ext]).toEqual(expect.arrayContaining(['artists', 'genre', 'composer']));
      if (ext === 'opus') expect(lost[ext]).toContain('cover');
    });
  }
});
