/**
 * Output names end to end: `song.flac` and `song.wav` in one folder both convert, under distinct names that stay the
 * same run after run (no E_OUTPUT_COLLISION every night); a layout never makes a hidden file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { listFiles, readBack, tmp, track } from './helpers.js';

describe('output names', () => {
  it('masters differing only by extension get distinct, stable names; the nightly run keeps both', async () => {
    const lib = await tmp('siblings-src');
    const out = await tmp('siblings-out');
    await track(join(lib, 'Album', 'song.flac'), { seconds: 1, tags: { TITLE: 'from flac' } });
    await track(join(lib, 'Album', 'song.wav'), { seconds: 2, codec: 'pcm_s16le', tags: { TITLE: 'from wav' } });
    const first = await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4'] });
    expect(first.exitCode).toBe(0);
    expect(await listFiles(out)).toEqual([
      'audiofan-manifest.json',
      'mp3-v4/Album/song (wav).mp3',
      'mp3-v4/Album/song.mp3',
    ]);
    expect((await readBack(join(out, 'mp3-v4/Album/song.mp3'))).format.duration).toBeCloseTo(1, 0);
    expect((await readBack(join(out, 'mp3-v4/Album/song (wav).mp3'))).format.duration).toBeCloseTo(2, 0);
    // A sibling that sorts first arrives: the names already given stay.
    await track(join(lib, 'Album', 'song.aiff'), { seconds: 3, codec: 'pcm_s16be', extraArgs: ['-f', 'aiff'] });
    const second = await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4'] });
    expect(second.exitCode).toBe(0);
    expect(second.summary).toMatchObject({ outputsEncoded: 1, outputsKept: 2, outputsFailed: 0 });
    expect(await listFiles(out)).toEqual([
      'audiofan-manifest.json',
      'mp3-v4/Album/song (aiff).mp3',
      'mp3-v4/Album/song (wav).mp3',
      'mp3-v4/Album/song.mp3',
    ]);
    const third = await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4'] });
    expect(third.summary).toMatchObject({ outputsEncoded: 0, outputsKept: 3, outputsFailed: 0 });
  });

  it('a layout from tags like "../../x" or ".hidden" never makes a hidden file or folder', async () => {
    const lib = await tmp('hidden-src');
    const out = await tmp('hidden-out');
    await track(join(lib, 'a.flac'), { seconds: 1, tags: { ARTIST: '.hidden', TITLE: '../../x' } });
    const r = await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4'], layout: '{artist}/{title}' });
    expect(r.exitCode).toBe(0);
    expect(await listFiles(out)).toEqual(['audiofan-manifest.json', 'mp3-v4/_hidden/___.._x.mp3']);
  });
});
