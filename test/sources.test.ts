/**
 * Sources are only ever read, and the walk does what it says: symlinked folders are not followed
 * unless asked, hidden files and our own temporaries are not sources.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { cover, listFiles, tmp, track } from './helpers.js';

let lib: string;
let elsewhere: string;

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(dir)) {
    const st = await stat(join(dir, f));
    out[f] = `${createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex')} ${st.mtimeMs} ${st.mode}`;
  }
  return out;
}

beforeAll(async () => {
  lib = await tmp('walk-src');
  elsewhere = await tmp('walk-elsewhere');
  await track(join(lib, 'Album', '01.flac'), { seconds: 1, tags: { TITLE: 'one' } });
  await cover(join(lib, 'Album', 'cover.jpg'));
  await track(join(elsewhere, 'linked.flac'), { seconds: 1, tags: { TITLE: 'linked' } });
  await symlink(elsewhere, join(lib, 'Linked folder'));
  await track(join(lib, 'Album', '.hidden.flac'), { seconds: 1 });
  await writeFile(join(lib, 'Album', '.audiofan-123-abcdef01.flac.partial'), 'not a source');
});

describe('the source walk', () => {
  it('does not follow symlinked folders by default, skips hidden files, and never writes a source', async () => {
    const before = await snapshot(lib);
    const r = await convertLibrary({ sources: [lib], output: await tmp('walk-out'), presets: ['opus-64', 'flac'] });
    expect(r.sources.map((s) => s.rel)).toEqual([join('Album', '01.flac')]);
    expect(await snapshot(lib)).toEqual(before);
  });

  it('follows symlinked folders with followSymlinks', async () => {
    const r = await convertLibrary({
      sources: [lib],
      output: await tmp('walk-out'),
      presets: ['opus-64'],
      followSymlinks: true,
    });
    expect(r.sources.map((s) => s.rel).sort()).toEqual([
      join('Album', '01.flac'),
      join('Linked folder', 'linked.flac'),
    ]);
  });
});
