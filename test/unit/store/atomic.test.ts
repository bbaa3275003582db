/**
 * store/atomic.ts: temporaries of dead runs are swept, a live run's are not; an ffmpeg log directory (the one temp
 * that is a directory) goes with them, and no other directory is ever removed by name.
 */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTemps, sweepStaleTemps } from '../../../src/store/atomic.js';

// A pid that cannot be alive (above Linux's pid_max limit of 2^22).
const DEAD = 9_999_999;

async function tree() {
  const root = await mkdtemp(join(tmpdir(), 'af-atomic-'));
  const album = join(root, 'Album');
  await mkdir(album);
  const deadLog = join(album, `.audiofan-${DEAD}-0000abcd.mp3.log.partial`);
  const liveLog = join(album, `.audiofan-${process.pid}-0000abcd.mp3.log.partial`);
  const deadTemp = join(album, `.audiofan-${DEAD}-1111abcd.mp3.partial`);
  const userDir = join(album, `.audiofan-${DEAD}-2222abcd.mp3.partial`); // a temp's name, but not a log directory
  for (const d of [deadLog, liveLog, userDir]) {
    await mkdir(d);
    await writeFile(join(d, 'ffmpeg-20261129-152522.log'), 'log');
  }
  await writeFile(deadTemp, 'half');
  await writeFile(join(album, 'song.mp3'), 'done');
  return { root, album, deadLog, liveLog, deadTemp, userDir };
}

describe('sweepStaleTemps', () => {
  it("removes a dead run's temps and log directory; keeps a live run's, finished files, and other directories", async () => {
    const t = await tree();
    const removed = await sweepStaleTemps(t.root);
    expect(removed.sort()).toEqual([t.deadLog, t.deadTemp].sort());
    expect((await readdir(t.album)).sort()).toEqual(
      [
        `.audiofan-${process.pid}-0000abcd.mp3.log.partial`,
        `.audiofan-${DEAD}-2222abcd.mp3.partial`,
        'song.mp3',
      ].sort(),
    );
    expect(await readdir(t.userDir)).toEqual(['ffmpeg-20261129-152522.log']);
  });
});

describe('removeTemps', () => {
  it('removes a log directory with its report, and never a directory of any other name', async () => {
    const t = await tree();
    await removeTemps(t.liveLog, t.deadLog, t.userDir, t.deadTemp);
    expect((await readdir(t.album)).sort()).toEqual([`.audiofan-${DEAD}-2222abcd.mp3.partial`, 'song.mp3'].sort());
  });
});
