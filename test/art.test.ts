/**
 * Cover art choice and size: folder images when nothing is embedded, no cover when only a
 * non-front picture is embedded, --art-max-size scaling, and presets that want no art.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { pictureFrom } from '../dist/src/tagging/picture.js';
import { ffmpeg, flacPictureBlocks, readBack, tmp, track } from './helpers.js';

const exec = promisify(execFile);
let lib: string;
let folderJpg: Buffer;

beforeAll(async () => {
  lib = await tmp('art-src');
  // Album A: nothing embedded, a wide folder image named in upper case.
  await track(join(lib, 'A', '01 a.flac'), { seconds: 2, tags: { TITLE: 'a' } });
  await exec(ffmpeg(), [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=800x400',
    '-frames:v',
    '1',
    '-q:v',
    '2',
    join(lib, 'A', 'Cover.JPG'),
  ]);
  folderJpg = await readFile(join(lib, 'A', 'Cover.JPG'));
  // Album B: only a back cover embedded, no folder image: no front cover, so none is written.
  const raw = await track(join(await tmp('raw'), 'b.flac'), { seconds: 2 });
  await mkdir(join(lib, 'B'));
  await writeFlacTags(raw, join(lib, 'B', '01 b.flac'), [['TITLE', 'b']], [pictureFrom(folderJpg, 4, 'back')]);
});

describe('cover choice', () => {
  let out: string;
  beforeAll(async () => {
    out = await tmp('art-out');
    expect(
      (await convertLibrary({ sources: [lib], output: out, presets: ['flac', 'mp3-v4', 'opus-64'] })).exitCode,
    ).toBe(0);
  });
  it.each(['flac/A/01 a.flac', 'mp3-v4/A/01 a.mp3', 'opus-64/A/01 a.opus'])(
    '%s: the folder image, byte for byte, as front cover',
    async (f) => {
      const pics = (await readBack(join(out, f))).common.picture ?? [];
      expect(pics).toHaveLength(1);
      expect(pics[0]).toMatchObject({ type: 'Cover (front)', format: 'image/jpeg' });
      expect(Buffer.from(pics[0].data).equals(folderJpg)).toBe(true);
    },
  );
  it.each(['flac/B/01 b.flac', 'mp3-v4/B/01 b.mp3', 'opus-64/B/01 b.opus'])(
    '%s: a back cover is not a front cover: no picture',
    async (f) => {
      expect((await readBack(join(out, f))).common.picture ?? []).toEqual([]);
    },
  );
});

describe('--art-max-size and presets without art', () => {
  it('covers larger than the limit are scaled down as JPEG keeping the aspect ratio, and decode', async () => {
    const out = await tmp('art-small');
    await convertLibrary({
      sources: [join(lib, 'A')],
      output: out,
      presets: ['flac', 'mp3-v4', 'opus-64'],
      artMaxSize: 200,
    });
    const [block] = await flacPictureBlocks(join(out, 'flac', '01 a.flac'));
    expect(block).toMatchObject({ type: 3, mime: 'image/jpeg', width: 200, height: 100 });
    const small = Buffer.from((await readBack(join(out, 'flac', '01 a.flac'))).common.picture![0].data);
    expect(small.length).toBeLessThan(folderJpg.length);
    const file = join(out, 'check.jpg');
    await writeFile(file, small);
    const { stderr } = await exec(ffmpeg(), ['-v', 'error', '-i', file, '-f', 'null', '-']);
    expect(stderr).toBe('');
    for (const f of ['mp3-v4/01 a.mp3', 'opus-64/01 a.opus']) {
      expect(Buffer.from((await readBack(join(out, f))).common.picture![0].data).equals(small)).toBe(true);
    }
  });

  it('a preset with "art": false gets no picture', async () => {
    const dir = await tmp('noart-preset');
    await writeFile(
      join(dir, 'p.json'),
      JSON.stringify({
        id: 'opus-portable',
        description: 'Opus for a watch',
        container: 'opus',
        extension: 'opus',
        encoder: 'libopus',
        encoderArgs: ['-b:a', '64k'],
        sampleRates: [48000],
        art: false,
      }),
    );
    const out = await tmp('noart-out');
    await convertLibrary({
      sources: [join(lib, 'A')],
      output: out,
      presets: ['opus-portable', 'opus-64'],
      presetDirs: [dir],
    });
    expect((await readBack(join(out, 'opus-portable', '01 a.opus'))).common.picture ?? []).toEqual([]);
    expect((await readBack(join(out, 'opus-64', '01 a.opus'))).common.picture).toHaveLength(1);
  });
});
