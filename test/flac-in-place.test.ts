/**
 * FLAC tags written in place: a fresh output is encoded with padding enough for its tags and cover (ffmpeg's
 * -metadata_header_padding), so writing them rewrites the header inside the file instead of copying the audio
 * into a second file. Where the room is short, the writer falls back to a copy, and says which it did.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { flacTagRoom, writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { cover, ffmpegBinaries, pcmMd5, readBack, tmp, track } from './helpers.js';

const exec = promisify(execFile);
const entries: [string, string][] = [
  ['TITLE', 'In Place'],
  ['ARTIST', 'Padding Artist'],
];

/** The metadata blocks of a FLAC file: [type, length] in order. */
async function blocks(path: string): Promise<[number, number][]> {
  const b = await readFile(path);
  const out: [number, number][] = [];
  for (let o = 4, last = false; !last; ) {
    last = (b[o] & 0x80) !== 0;
    const len = b.readUIntBE(o + 1, 3);
    out.push([b[o] & 0x7f, len]);
    o += 4 + len;
  }
  return out;
}

describe.each(ffmpegBinaries())('FLAC tags in place with $label', ({ path: ffmpegPath }) => {
  let dir: string;
  let picture: { mime: string; data: Buffer; type: number; description: string };
  beforeAll(async () => {
    dir = await tmp('flac-in-place');
    const art = await cover(join(dir, 'cover.jpg'));
    picture = { mime: 'image/jpeg', data: await readFile(art), type: 3, description: '' };
  });

  /** A FLAC as audiofan's encode makes it: ffmpeg's metadata, with `padding` bytes asked for. */
  async function encoded(name: string, padding: number): Promise<string> {
    const file = join(dir, name);
    await exec(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:d=3:r=44100',
      '-map_metadata',
      '-1',
      '-c:a',
      'flac',
      '-metadata_header_padding',
      String(padding),
      '-f',
      'flac',
      `file:${file}`,
    ]);
    return file;
  }

  it('room asked for: the header is rewritten inside the file, the audio unmoved and unchanged', async () => {
    const file = await encoded('roomy.flac', flacTagRoom(entries, [picture]));
    const size = (await stat(file)).size;
    const audio = await pcmMd5(file);
    const dest = join(dir, 'roomy-copy.flac');
    expect(await writeFlacTags(file, dest, entries, [picture], true)).toBe('in-place');
    await expect(stat(dest)).rejects.toThrow(/ENOENT/);
    expect((await stat(file)).size).toBe(size);
    expect(await pcmMd5(file)).toBe(audio);
    const m = await readBack(file);
    expect(m.common.title).toBe('In Place');
    expect(m.common.picture?.[0].data.length).toBe(picture.data.length);
    // STREAMINFO, the comment, the picture, and what is left of the padding last.
    expect((await blocks(file)).map(([t]) => t)).toEqual([0, 4, 6, 1]);
  });

  it('too little room (or a published file): a new file is written and the source left as it was', async () => {
    const file = await encoded('tight.flac', 16);
    const before = await readFile(file);
    const dest = join(dir, 'tight-copy.flac');
    expect(await writeFlacTags(file, dest, entries, [picture], true)).toBeUndefined();
    expect((await readFile(file)).equals(before)).toBe(true);
    expect((await readBack(dest)).common.title).toBe('In Place');
    expect(await pcmMd5(dest)).toBe(await pcmMd5(file));
    const roomy = await encoded('published.flac', flacTagRoom(entries, [picture]));
    const was = await readFile(roomy);
    expect(await writeFlacTags(roomy, join(dir, 'published-copy.flac'), entries, [picture])).toBeUndefined();
    expect((await readFile(roomy)).equals(was)).toBe(true);
  });

  it('a run leaves each FLAC output tagged, with its cover, its padding after them, and the master bit-exact', async () => {
    const lib = await tmp('flac-in-place-lib');
    const art = await cover(join(lib, 'cover.jpg'));
    await track(join(lib, 'a.flac'), { seconds: 4, tags: { TITLE: 'Run', ARTIST: 'R' }, cover: art }, ffmpegPath);
    const out = await tmp('flac-in-place-out');
    const r = await convertLibrary({ sources: [lib], output: out, presets: ['flac'], ffmpegPath });
    expect(r.exitCode).toBe(0);
    const file = join(out, 'flac', 'a.flac');
    const found = await blocks(file);
    const kinds = found.map(([t]) => t);
    expect(kinds[0]).toBe(0);
    expect(kinds).toContain(6);
    // Written in place: the padding is what ffmpeg reserved less what the tags took, never the writer's own
    // fresh 4096 bytes that a copy gets.
    expect(found.at(-1)![0]).toBe(1);
    expect(found.at(-1)![1]).toBeGreaterThan(0);
    expect(found.at(-1)![1]).not.toBe(4096);
    expect((await readBack(file)).common.title).toBe('Run');
    expect(await pcmMd5(file)).toBe(await pcmMd5(join(lib, 'a.flac')));
  });
});
