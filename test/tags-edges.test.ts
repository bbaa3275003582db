/**
 * Tags and art at the edges: a cover over FLAC's 16 MiB picture limit is re-encoded for FLAC only
 * (with a warning) and never fails the output; a NUL inside a source value stays one value in ID3v2.4;
 * user presets in MP4 (AAC, ALAC) and Ogg Vorbis get the same tags, cover and ReplayGain as the
 * built-in ones, on both ffmpegs, and are retagged in place when only the source's tags change.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { fitCover } from '../dist/src/sources/cover-fit.js';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { pictureFrom } from '../dist/src/tagging/picture.js';
import { cli, execFileP, ffmpeg, ffmpegBinaries, flacPictureBlocks, pcmMd5, readBack, tmp, track } from './helpers.js';

interface ManifestLike {
  sources: { path: string; outputs: { preset: string; status: string; action: string; warnings?: string[] }[] }[];
}
const manifest = async (out: string): Promise<ManifestLike> =>
  JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));

describe('a cover larger than a format can hold', () => {
  let out: string;
  let png: Buffer;
  beforeAll(async () => {
    const lib = await tmp('bigart-src');
    await track(join(lib, 'A', '01 a.flac'), { seconds: 1, tags: { TITLE: 'a' } });
    // Noise does not compress: a 2600×2600 RGB PNG of it is about 20 MB, over FLAC's 16 MiB block.
    const raw = join(lib, 'noise.rgb');
    await writeFile(raw, randomBytes(2600 * 2600 * 3));
    const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '2600x2600', '-i', raw];
    await execFileP(ffmpeg(), [...args, '-frames:v', '1', join(lib, 'A', 'cover.png')]);
    await rename(raw, join(await tmp('trash'), 'noise.rgb'));
    png = await readFile(join(lib, 'A', 'cover.png'));
    expect(png.length).toBeGreaterThan(16 * 2 ** 20);
    out = await tmp('bigart-out');
    const r = await convertLibrary({ sources: [lib], output: out, presets: ['flac', 'mp3-v4', 'opus-64'] });
    expect(r.exitCode).toBe(0);
  });

  it('FLAC: the cover re-encoded as a JPEG under 16 MiB, same size in pixels, with a warning', async () => {
    const [block, ...more] = await flacPictureBlocks(join(out, 'flac', 'A', '01 a.flac'));
    expect(more).toEqual([]);
    expect(block).toMatchObject({ type: 3, mime: 'image/jpeg', width: 2600, height: 2600 });
    expect(block.size).toBeLessThan(16 * 2 ** 20);
    const entry = (await manifest(out)).sources[0].outputs.find((o) => o.preset === 'flac');
    expect(entry).toMatchObject({ status: 'ok', action: 'encoded' });
    expect(entry?.warnings?.join()).toMatch(
      /cover \(2600×2600 image\/png, 19\.\d MiB\) is over the 16 MiB limit.*jpeg/,
    );
  });

  it.each(['mp3-v4/A/01 a.mp3', 'opus-64/A/01 a.opus'])('%s: the PNG itself, byte for byte, no warning', async (f) => {
    const pics = (await readBack(join(out, f))).common.picture ?? [];
    expect(pics).toHaveLength(1);
    expect(Buffer.from(pics[0].data).equals(png)).toBe(true);
    const entry = (await manifest(out)).sources[0].outputs.find((o) => f.startsWith(`${o.preset}/`));
    expect(entry).toMatchObject({ status: 'ok' });
    expect(entry?.warnings).toBeUndefined();
  });
});

describe('fitCover', () => {
  it('a cover that cannot be made to fit (no image ffmpeg can read) is left out, with a warning saying so', async () => {
    const junk = pictureFrom(randomBytes(17 * 2 ** 20), 3, '', 'image/png');
    const r = await fitCover(junk, 'flac', ffmpeg());
    expect(r.picture).toBeUndefined();
    expect(r.warning).toMatch(/over the 16 MiB limit of flac tags and could not be made to fit: left out/);
  });
  it('a cover that fits is passed through untouched', async () => {
    const small = pictureFrom(randomBytes(1024), 3, '', 'image/png');
    expect(await fitCover(small, 'flac', ffmpeg())).toEqual({ picture: small });
  });
});

describe('a NUL inside a source tag value', () => {
  let out: string;
  beforeAll(async () => {
    const lib = await tmp('nul-src');
    const raw = await track(join(await tmp('raw'), 'raw.flac'), { seconds: 1 });
    // metaflac and ffmpeg -metadata cannot take a NUL: the Vorbis comment is written directly.
    await mkdir(join(lib, 'A'));
    await writeFlacTags(
      raw,
      join(lib, 'A', '01 nul.flac'),
      [
        ['TITLE', 'Title\0'],
        ['ARTIST', 'One\0Two'],
        ['ALBUM', 'Album'],
      ],
      [],
    );
    expect((await readFile(join(lib, 'A', '01 nul.flac'))).includes('ARTIST=One\0Two')).toBe(true);
    out = await tmp('nul-out');
    expect((await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4', 'flac'] })).exitCode).toBe(0);
  });

  it('MP3 (ID3v2.4): one value, the NUL replaced, a trailing NUL dropped', async () => {
    const m = await readBack(join(out, 'mp3-v4', 'A', '01 nul.mp3'));
    const id3 = m.native['ID3v2.4'] ?? [];
    expect(id3.filter((t) => t.id === 'TPE1').map((t) => t.value)).toEqual(['One; Two']);
    expect(id3.filter((t) => t.id === 'TIT2').map((t) => t.value)).toEqual(['Title']);
    expect(m.common.artists).toEqual(['One; Two']);
  });

  it('FLAC: the same single value', async () => {
    const m = await readBack(join(out, 'flac', 'A', '01 nul.flac'));
    expect(m.native.vorbis?.filter((t) => t.id === 'ARTIST').map((t) => t.value)).toEqual(['One; Two']);
  });
});

const USER_PRESETS = [
  {
    id: 'aac-256',
    description: 'AAC 256 kbit/s in .m4a',
    container: 'm4a',
    extension: 'm4a',
    encoder: 'aac',
    encoderArgs: ['-b:a', '256k'],
    sampleRates: [44100, 48000],
    maxChannels: 2,
  },
  {
    id: 'alac',
    description: 'Apple Lossless in .m4a',
    container: 'm4a',
    extension: 'm4a',
    encoder: 'alac',
    encoderArgs: [],
    lossless: true,
  },
  {
    id: 'vorbis-q5',
    description: 'Vorbis q5 in .ogg',
    container: 'ogg',
    extension: 'ogg',
    encoder: 'libvorbis',
    encoderArgs: ['-q:a', '5'],
    sampleRates: [44100, 48000],
    maxChannels: 2,
  },
];
const FILES = ['aac-256/A/05 t.m4a', 'alac/A/05 t.m4a', 'vorbis-q5/A/05 t.ogg'];

describe.each(ffmpegBinaries())('user presets in MP4 and Ogg Vorbis, made with $label', ({ path: ffmpegPath }) => {
  let lib: string;
  let out: string;
  let presets: string;
  let jpg: Buffer;
  const source = join('A', '05 t.flac');
  const tags = (title: string): [string, string][] => [
    ['TITLE', title],
    ['ARTIST', 'Artist'],
    ['ALBUM', 'Album'],
    ['TRACKNUMBER', '5'],
    ['TRACKTOTAL', '41'],
    ['DISCNUMBER', '1'],
    ['DISCTOTAL', '2'],
    ['COMMENT', 'A comment'],
    ['GENRE', 'Jazz'],
    ['GENRE', 'Fusion'],
  ];
  const run = () =>
    cli(
      [lib, '-o', out, '--create', '--presets-dir', presets, '-p', USER_PRESETS.map((p) => p.id).join(',')].concat([
        '--ffmpeg',
        ffmpegPath,
        '--json',
      ]),
    );

  beforeAll(async () => {
    lib = await tmp('user-src');
    presets = await tmp('user-presets');
    for (const p of USER_PRESETS) await writeFile(join(presets, `${p.id}.json`), JSON.stringify(p));
    const art = await tmp('art');
    await execFileP(ffmpeg(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x240',
      '-frames:v',
      '1',
      join(art, 'c.jpg'),
    ]);
    jpg = await readFile(join(art, 'c.jpg'));
    const raw = await track(join(art, 'raw.flac'), { seconds: 2 }, ffmpegPath);
    await mkdir(join(lib, 'A'));
    await writeFlacTags(raw, join(lib, source), tags('First title'), [pictureFrom(jpg, 3, 'front')]);
    out = await tmp('user-out');
    const r = await run();
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
  });

  it.each(FILES)('%s: title, artist, album, track n/N, disc n/N, comment, genres, cover, ReplayGain', async (f) => {
    const m = await readBack(join(out, f));
    expect(m.common).toMatchObject({
      title: 'First title',
      artist: 'Artist',
      album: 'Album',
      track: { no: 5, of: 41 },
      disk: { no: 1, of: 2 },
      genre: ['Jazz', 'Fusion'],
    });
    expect(m.common.comment?.map((c) => c.text)).toEqual(['A comment']);
    expect(m.common.picture?.map((p) => Buffer.from(p.data).equals(jpg))).toEqual([true]);
    expect(m.common.replaygain_track_gain?.dB).toEqual(expect.any(Number));
    expect(m.common.replaygain_track_peak?.ratio).toEqual(expect.any(Number));
    // Vorbis keeps the number and the total apart, as Picard writes them.
    if (f.endsWith('.ogg'))
      expect(m.native.vorbis?.filter((t) => /^TRACK/.test(t.id))).toEqual([
        { id: 'TRACKNUMBER', value: '5' },
        { id: 'TRACKTOTAL', value: '41' },
      ]);
  });

  it('the audio is intact after tagging: ALAC bit-exact, AAC and Vorbis decode in full', async () => {
    expect(await pcmMd5(join(out, 'alac/A/05 t.m4a'))).toBe(await pcmMd5(join(lib, source)));
    for (const f of FILES) {
      const { stderr } = await execFileP(ffmpegPath, ['-v', 'error', '-i', join(out, f), '-f', 'null', '-']);
      expect(stderr, f).toBe('');
      expect((await readBack(join(out, f))).format.duration, f).toBeCloseTo(2, 1);
    }
  });

  it('a tags-only change of the source retags them in place (no re-encode)', async () => {
    const raw = join(await tmp('retag'), 'x.flac');
    await writeFlacTags(join(lib, source), raw, tags('Second title'), [pictureFrom(jpg, 3, 'front')]);
    await rename(raw, join(lib, source));
    const r = await run();
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const entries = (await manifest(out)).sources[0].outputs;
    expect(entries.map((e) => e.action)).toEqual(['retagged', 'retagged', 'retagged']);
    for (const f of FILES) expect((await readBack(join(out, f))).common.title, f).toBe('Second title');
    expect(await pcmMd5(join(out, 'alac/A/05 t.m4a'))).toBe(await pcmMd5(join(lib, source)));
  });
});
