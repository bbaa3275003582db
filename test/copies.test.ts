/**
 * --lossy copy and --extras through the built CLI: files copied unchanged beside the outputs, recorded in the
 * manifest, redone when the source changes, never onto a file audiofan did not make, pruned like outputs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cli, cover, ffmpeg, listFiles, readBack, tmp, track } from './helpers.js';

let lib: string;
let out: string;
const lossy = (path: string, codec: string) =>
  execFileSync(ffmpeg(), [
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=f=440:d=1',
    '-c:a',
    codec,
    path,
  ]);

beforeEach(async () => {
  lib = await tmp('copies-src');
  out = await tmp('copies-out');
  await track(join(lib, 'Album/01 One.flac'), { seconds: 1, tags: { TITLE: 'One', ALBUM: 'Copies', ARTIST: 'A' } });
  await cover(join(lib, 'Album/cover.jpg'));
  await writeFile(join(lib, 'Album/rip.log'), 'EAC extraction log\n');
  await writeFile(join(lib, 'Album/notes.txt'), 'not wanted\n');
  lossy(join(lib, 'Album/02 Bonus.mp3'), 'libmp3lame');
  lossy(join(lib, 'Album/03 Bonus.opus'), 'libopus');
});

const manifest = () => JSON.parse(readFileSync(join(out, 'audiofan-manifest.json'), 'utf8'));
const outputsOf = (
  m: { sources: { path: string; outputs: { path: string; action: string; reason: string }[] }[] },
  end: string,
) => m.sources.find((s) => s.path.endsWith(end))?.outputs ?? [];
const run = (...extra: string[]) => cli([lib, '-o', out, '-p', 'mp3-v4,opus-64', '-j', '2', '--json', ...extra]);

describe('--lossy', () => {
  it('copy: mp3 into mp3 presets, opus into opus presets, byte for byte; recorded; kept on the next run', async () => {
    const r = await run('--lossy', 'copy');
    expect(r.code).toBe(0);
    const files = await listFiles(out);
    expect(files).toEqual(expect.arrayContaining(['mp3-v4/Album/02 Bonus.mp3', 'opus-64/Album/03 Bonus.opus']));
    expect(files).not.toContain('opus-64/Album/02 Bonus.opus');
    expect(await readFile(join(out, 'mp3-v4/Album/02 Bonus.mp3'))).toEqual(
      await readFile(join(lib, 'Album/02 Bonus.mp3')),
    );
    expect((await readBack(join(out, 'opus-64/Album/03 Bonus.opus'))).format.codec).toMatch(/opus/i);
    expect(outputsOf(manifest(), '02 Bonus.mp3')).toEqual([
      expect.objectContaining({ path: 'mp3-v4/Album/02 Bonus.mp3', action: 'copied', status: 'ok' }),
    ]);
    const before = statSync(join(out, 'audiofan-manifest.json')).mtimeMs;
    const again = await run('--lossy', 'copy');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/"action":"copied"/);
    expect(again.stderr).toMatch(/"outputsEncoded":0,/);
    // Nothing changed, so the manifest is left as it was, the copy still on record as made.
    expect(statSync(join(out, 'audiofan-manifest.json')).mtimeMs).toBe(before);
    expect(outputsOf(manifest(), '02 Bonus.mp3')[0]).toMatchObject({ path: 'mp3-v4/Album/02 Bonus.mp3', status: 'ok' });
  });

  it('copy: redone when the master changes; a lossy file no preset holds is skipped with the reason', async () => {
    await run('--lossy', 'copy');
    lossy(join(lib, 'Album/02 Bonus.mp3.new.mp3'), 'libmp3lame');
    await rm(join(lib, 'Album/02 Bonus.mp3'));
    execFileSync('mv', [join(lib, 'Album/02 Bonus.mp3.new.mp3'), join(lib, 'Album/02 Bonus.mp3')]);
    await utimes(join(lib, 'Album/02 Bonus.mp3'), new Date(), new Date(Date.now() + 5000));
    const r = await cli([lib, '-o', out, '-p', 'mp3-v4', '--json', '--lossy', 'copy']);
    expect(r.stderr).toMatch(/"path":"mp3-v4\/Album\/02 Bonus.mp3"[^\n]*"action":"copied"[^\n]*source changed/);
    expect(r.stderr).toMatch(/03 Bonus.opus: opus is lossy audio, and no chosen preset \(mp3-v4\) holds it unchanged/);
  });

  it('skip (the default) after copy: the copies are orphans, deleted only with --delete within the guard', async () => {
    await run('--lossy', 'copy', '--extras', 'cover.jpg');
    const kept = await run('--extras', 'cover.jpg');
    expect(kept.stderr).toMatch(/orphan: copy no longer wanted/);
    expect(await listFiles(out)).toContain('mp3-v4/Album/02 Bonus.mp3');
    const refused = await run('--extras', 'cover.jpg', '--delete');
    expect(refused.stderr).toMatch(/nothing deleted/);
    expect(await listFiles(out)).toContain('mp3-v4/Album/02 Bonus.mp3');
    const del = await run('--extras', 'cover.jpg', '--delete', '--max-delete', '2');
    expect(del.code).toBe(0);
    const files = await listFiles(out);
    expect(files).not.toContain('mp3-v4/Album/02 Bonus.mp3');
    expect(files).not.toContain('opus-64/Album/03 Bonus.opus');
    expect(files).toContain('mp3-v4/Album/cover.jpg');
  });
});

describe('--extras', () => {
  it("copies matching non-audio files beside each preset's outputs, not others; kept, then redone on change", async () => {
    const r = await run('--extras', 'cover.jpg', '--extras', '*.log');
    expect(r.code).toBe(0);
    const files = await listFiles(out);
    for (const p of ['mp3-v4', 'opus-64']) {
      expect(files).toContain(`${p}/Album/cover.jpg`);
      expect(files).toContain(`${p}/Album/rip.log`);
      expect(files).not.toContain(`${p}/Album/notes.txt`);
    }
    expect(await readFile(join(out, 'opus-64/Album/cover.jpg'))).toEqual(await readFile(join(lib, 'Album/cover.jpg')));
    const again = await run('--extras', 'cover.jpg', '--extras', '*.log');
    expect(again.stderr).not.toMatch(/"action":"copied"/);
    await writeFile(join(lib, 'Album/rip.log'), 'EAC extraction log, corrected\n');
    const changed = await run('--extras', 'cover.jpg', '--extras', '*.log');
    expect(changed.stderr).toMatch(/"path":"mp3-v4\/Album\/rip.log"[^\n]*"action":"copied"/);
    expect(readFileSync(join(out, 'mp3-v4/Album/rip.log'), 'utf8')).toContain('corrected');
  });

  it('follow the layout (beside the outputs) and --flat', async () => {
    const r = await cli([
      lib,
      '-o',
      out,
      '-p',
      'opus-64',
      '--flat',
      '--layout',
      '{album}/{title}',
      '--extras',
      'cover.jpg',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect((await listFiles(out)).filter((f) => !f.startsWith('audiofan-')).sort()).toEqual([
      'Copies/One.opus',
      'Copies/cover.jpg',
    ]);
  });

  it('never replace a file audiofan did not make; a removed extra is an orphan', async () => {
    await run();
    await writeFile(join(out, 'mp3-v4/Album/cover.jpg'), 'my own cover, not yours');
    const r = await run('--extras', 'cover.jpg');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /mp3-v4\/Album\/cover.jpg: a file audiofan did not make is already there; it was left alone/,
    );
    expect(readFileSync(join(out, 'mp3-v4/Album/cover.jpg'), 'utf8')).toBe('my own cover, not yours');
    expect(await listFiles(out)).toContain('opus-64/Album/cover.jpg');
    await rm(join(lib, 'Album/cover.jpg'));
    const gone = await run('--extras', 'cover.jpg', '--delete', '--max-delete', '1');
    expect(gone.stderr).toMatch(/deleted orphan opus-64\/Album\/cover.jpg/);
    expect(readFileSync(join(out, 'mp3-v4/Album/cover.jpg'), 'utf8')).toBe('my own cover, not yours');
  });

  it('a dry run copies nothing and says what it would copy', async () => {
    const r = await cli([
      lib,
      '-o',
      out,
      '-p',
      'mp3-v4',
      '--extras',
      'cover.jpg',
      '--lossy',
      'copy',
      '--dry-run',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(await listFiles(out)).toEqual([]);
  });
});
