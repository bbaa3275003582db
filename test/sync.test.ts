/**
 * Nightly sync. The tests run in order on one library: each changes one thing and asserts exactly
 * which outputs were encoded, retagged, deleted or left alone; each run leaves everything up to date.
 */
import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { readFile, rename, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type ConvertOptions, type RunResult } from '../dist/src/index.js';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { bin, cli, ffmpeg, ffmpegProcessesMentioning, listFiles, readBack, tmp, track } from './helpers.js';

const exec = promisify(execFile);
let lib: string;
let out: string;
let presetDir: string;
const MINE = {
  id: 'mine',
  description: 'my Opus',
  container: 'opus',
  extension: 'opus',
  encoder: 'libopus',
  encoderArgs: ['-b:a', '64k'],
  sampleRates: [48000],
};

const run = (extra: Partial<ConvertOptions> = {}) =>
  convertLibrary({
    sources: [lib],
    output: out,
    presets: ['mp3-v4', 'mine'],
    presetDirs: [presetDir],
    jobs: 2,
    ...extra,
  });

/** "file|preset" -> what happened to that output in the run. */
function actions(r: RunResult): Record<string, string> {
  return Object.fromEntries(
    r.actions.filter((a) => a.preset).map((a) => [`${basename(a.source)}|${a.preset}`, a.action]),
  );
}
const only = (r: RunResult, keep: Record<string, string>) => {
  const all = actions(r);
  const rest = Object.fromEntries(
    Object.entries(all)
      .filter(([k]) => !(k in keep))
      .map(([k, v]) => [k, v]),
  );
  expect(Object.fromEntries(Object.entries(all).filter(([k]) => k in keep))).toEqual(keep);
  expect(new Set(Object.values(rest))).toEqual(new Set(['keep']));
};
const sha = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');

beforeAll(async () => {
  lib = await tmp('sync-src');
  out = await tmp('sync-out');
  presetDir = await tmp('sync-presets');
  await writeFile(join(presetDir, 'mine.json'), JSON.stringify(MINE));
  for (const i of [1, 2, 3])
    await track(join(lib, 'Album', `0${i}.flac`), {
      seconds: 2,
      seed: i,
      tags: { TITLE: `t${i}`, ALBUM: 'A', ALBUMARTIST: 'AA' },
    });
  await track(join(lib, 'Album', '04.wav'), { seconds: 2, seed: 4, codec: 'pcm_s16le', tags: { title: 't4' } });
  await track(join(lib, 'Single', 'solo.flac'), { seconds: 2, seed: 5, tags: { TITLE: 'solo' } });
  const first = await run();
  expect(first.summary.outputsEncoded).toBe(10);
});

describe('deciding what to redo', () => {
  it('nothing changed: nothing is done and no source is even opened', async () => {
    // Same size and mtime, different bytes: had audiofan opened the file, it would have failed.
    const f = join(lib, 'Album', '01.flac');
    // The exact mtime, to the nanosecond (a Date keeps only milliseconds).
    const mtime = (await exec('stat', ['-c', '%.9Y', f])).stdout.trim();
    const original = await readFile(f);
    await writeFile(f, Buffer.alloc(original.length, 0x42));
    await exec('touch', ['-m', '-d', `@${mtime}`, f]);
    const r = await run();
    await writeFile(f, original);
    await exec('touch', ['-m', '-d', `@${mtime}`, f]);
    expect(r.summary).toMatchObject({ outputsEncoded: 0, outputsRetagged: 0, outputsKept: 10, failedSources: 0 });
    only(r, {});
  });

  it('touched only (mtime): nothing re-encoded or retagged', async () => {
    const now = new Date();
    await utimes(join(lib, 'Album', '02.flac'), now, now);
    const r = await run();
    only(r, {});
    expect(r.summary.outputsEncoded + r.summary.outputsRetagged).toBe(0);
  });

  it('tags edited (FLAC and WAV): only their outputs are retagged, not re-encoded, audio byte-identical', async () => {
    const f = join(lib, 'Album', '03.flac');
    const mp3 = join(out, 'mp3-v4', 'Album', '03.mp3');
    const before = await readBack(mp3);
    const audioBefore = (await readFile(mp3)).subarray(-4096);
    await writeFlacTags(
      f,
      `${f}.new`,
      [
        ['TITLE', 'renamed'],
        ['ALBUM', 'A'],
        ['ALBUMARTIST', 'AA'],
        ['GENRE', 'New'],
      ],
      [],
    );
    await rename(`${f}.new`, f);
    const w = join(lib, 'Album', '04.wav');
    await exec(ffmpeg(), ['-v', 'error', '-i', w, '-c', 'copy', '-metadata', 'title=t4 edited', `${w}.new.wav`]);
    await rename(`${w}.new.wav`, w);
    const r = await run();
    only(r, { '03.flac|mp3-v4': 'retag', '03.flac|mine': 'retag', '04.wav|mp3-v4': 'retag', '04.wav|mine': 'retag' });
    expect(r.summary).toMatchObject({ outputsEncoded: 0, outputsRetagged: 4 });
    const after = await readBack(mp3);
    expect(after.common.title).toBe('renamed');
    expect(after.common.genre).toEqual(['New']);
    expect(after.format.duration).toBe(before.format.duration);
    expect((await readFile(mp3)).subarray(-4096).equals(audioBefore)).toBe(true);
    expect((await readBack(join(out, 'mine', 'Album', '04.opus'))).common.title).toBe('t4 edited');
  });

  it('audio changed: its outputs are re-encoded', async () => {
    await track(join(lib, 'Album', '02.flac'), {
      seconds: 3,
      seed: 9,
      tags: { TITLE: 't2', ALBUM: 'A', ALBUMARTIST: 'AA' },
    });
    const r = await run();
    // The album's loudness changed with it, so its other outputs get new album gains (tags only).
    expect(actions(r)).toMatchObject({
      '02.flac|mp3-v4': 'encode',
      '02.flac|mine': 'encode',
      'solo.flac|mp3-v4': 'keep',
    });
    expect(
      r.sources.find((s) => s.path.endsWith('02.flac'))!.outputs.every((o) => o.reason === 'source audio changed'),
    ).toBe(true);
    expect(r.summary.outputsEncoded).toBe(2);
    expect((await readBack(join(out, 'mp3-v4', 'Album', '02.mp3'))).format.duration).toBeGreaterThan(2.9);
  });

  it('preset arguments changed: that preset only is re-encoded', async () => {
    await writeFile(join(presetDir, 'mine.json'), JSON.stringify({ ...MINE, encoderArgs: ['-b:a', '48k'] }));
    const r = await run();
    expect(r.summary.outputsEncoded).toBe(5);
    expect(
      Object.entries(actions(r))
        .filter(([, a]) => a === 'encode')
        .map(([k]) => k.split('|')[1]),
    ).toEqual(Array(5).fill('mine'));
    expect(
      r.sources
        .flatMap((s) => s.outputs)
        .filter((o) => o.action === 'encoded')
        .every((o) => o.reason === 'preset changed'),
    ).toBe(true);
  });

  it('output deleted or truncated behind our back: re-made', async () => {
    await rm(join(out, 'mp3-v4', 'Album', '01.mp3'));
    const opus = join(out, 'mine', 'Single', 'solo.opus');
    await truncate(opus, (await stat(opus)).size - 100);
    const r = await run();
    only(r, { '01.flac|mp3-v4': 'encode', 'solo.flac|mine': 'encode' });
    const reasons = r.sources
      .flatMap((s) => s.outputs)
      .filter((o) => o.action === 'encoded')
      .map((o) => o.reason)
      .sort();
    expect(reasons).toEqual(['output missing', 'output modified']);
  });
});

describe('orphans', () => {
  it('a preset dropped from -p: its outputs are listed, and kept until --delete', async () => {
    await writeFile(join(out, 'mine', 'Album', 'my notes.txt'), "mine, not audiofan's");
    const listed = await run({ presets: ['mp3-v4'] });
    expect(listed.summary.orphans).toBe(5);
    expect(
      listed.actions.filter((a) => a.action === 'orphan').every((a) => a.reason === 'preset no longer selected'),
    ).toBe(true);
    expect(await listFiles(join(out, 'mine'))).toHaveLength(6);
    // Half the outputs at once is more than the default --max-delete (10%): refused, nothing deleted.
    const refused = await run({ presets: ['mp3-v4'], delete: true });
    expect(refused.summary).toMatchObject({ orphansDeleted: 0, orphans: 5 });
    expect(refused.summary.deleteRefused).toMatch(
      /5 output\(s\) would be deleted, more than --max-delete 10% \(1 of 10\)/,
    );
    expect(await listFiles(join(out, 'mine'))).toHaveLength(6);
    const deleted = await run({ presets: ['mp3-v4'], delete: true, maxDelete: '50%' });
    expect(deleted.summary.orphansDeleted).toBe(5);
    // Only what audiofan made is gone; the user's file (and so its folder) stays; emptied folders go.
    expect(await listFiles(join(out, 'mine'))).toEqual(['Album/my notes.txt']);
    expect(await stat(join(out, 'mine', 'Single')).catch(() => 'gone')).toBe('gone');
    const again = await run({ presets: ['mp3-v4'] });
    expect(again.summary.orphans).toBe(0);
  });

  it('a source deleted: its outputs are orphans; --delete removes them and the emptied folder', async () => {
    await rm(join(lib, 'Single'), { recursive: true });
    const listed = await run({ presets: ['mp3-v4'] });
    expect(listed.actions.find((a) => a.action === 'orphan')).toMatchObject({
      reason: 'source is gone or no longer selected',
      path: 'mp3-v4/Single/solo.mp3',
    });
    expect(await stat(join(out, 'mp3-v4', 'Single', 'solo.mp3')).then(() => true)).toBe(true);
    const r = await run({ presets: ['mp3-v4'], delete: true, maxDelete: 1 });
    expect(r.summary.orphansDeleted).toBe(1);
    expect(await stat(join(out, 'mp3-v4', 'Single')).catch(() => 'gone')).toBe('gone');
    expect(r.sources.some((s) => s.path.includes('Single'))).toBe(false);
  });
});

describe('unattended runs', () => {
  it('--dry-run --json prints every encode, retag, delete and skip with its reason, and writes nothing', async () => {
    await writeFlacTags(
      join(lib, 'Album', '01.flac'),
      join(lib, 'Album', 'tmp.x'),
      [
        ['TITLE', 'dry'],
        ['ALBUM', 'A'],
        ['ALBUMARTIST', 'AA'],
      ],
      [],
    );
    await rename(join(lib, 'Album', 'tmp.x'), join(lib, 'Album', '01.flac'));
    await track(join(lib, 'Album', '05.flac'), {
      seconds: 1,
      seed: 7,
      tags: { TITLE: 't5', ALBUM: 'A', ALBUMARTIST: 'AA' },
    });
    await writeFile(join(lib, 'Album', '06 lossy.mp3'), await readFile(join(out, 'mp3-v4', 'Album', '03.mp3')));
    const manifestBefore = await sha(join(out, 'audiofan-manifest.json'));
    const treeBefore = await listFiles(out);
    const r = await cli([
      lib,
      '-o',
      out,
      '-p',
      'mp3-v4',
      '--dry-run',
      '--json',
      '--delete',
      '--presets-dir',
      presetDir,
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).plan as { action: string; source: string; reason: string }[];
    const of = (name: string) => plan.filter((p) => p.source.endsWith(name)).map((p) => `${p.action}: ${p.reason}`);
    expect(of('01.flac')).toEqual(['retag: tags or art changed']);
    expect(of('05.flac')).toEqual(['encode: new']);
    expect(of('06 lossy.mp3')[0]).toMatch(/^skip: E_SOURCE_LOSSY/);
    expect(of('02.flac')).toEqual(['retag: tags or art changed']); // album gain: the album gained a track
    expect(plan.filter((p) => p.action === 'keep').length).toBeGreaterThan(0);
    expect(await sha(join(out, 'audiofan-manifest.json'))).toBe(manifestBefore);
    expect(await listFiles(out)).toEqual(treeBefore);
    await rm(join(lib, 'Album', '06 lossy.mp3'));
  });

  it("a second run on the same output exits at once with code 75; a dead run's lock is taken over", async () => {
    const lock = join(out, '.audiofan.lock');
    await writeFile(
      lock,
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), startedAt: 'earlier' }),
    );
    const busy = await cli([lib, '-o', out, '-p', 'mp3-v4']);
    expect(busy.code).toBe(75);
    expect(busy.stderr).toMatch(new RegExp(`E_LOCKED.*in use by another audiofan run \\(pid ${process.pid}`));
    await writeFile(
      lock,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: 'long ago' }),
    );
    const taken = await cli([lib, '-o', out, '-p', 'mp3-v4']);
    expect(taken.code).toBe(0);
    expect(taken.stderr).toMatch(/took over the lock of a run that is gone/);
    expect(await stat(lock).catch(() => 'released')).toBe('released');
  });

  it('a missing output folder (unmounted disk) is refused unless --create', async () => {
    const gone = join(await tmp('sync-nodisk'), 'mnt', 'usb');
    const r = await cli([lib, '-o', gone, '-p', 'mp3-v4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_OUTPUT_MISSING.*does not exist \(is the disk mounted\?\); give --create/);
    expect(await stat(gone).catch(() => 'absent')).toBe('absent');
    expect((await cli([lib, '-o', gone, '-p', 'mp3-v4', '--create'])).code).toBe(0);
  });
});

describe('a run killed with SIGKILL', () => {
  it('resumes: the next run redoes only what was in flight, and the result equals an uninterrupted run', async () => {
    const src = await tmp('kill-src');
    for (let i = 1; i <= 6; i++)
      await track(join(src, 'Album', `${i}.flac`), {
        seconds: 30,
        seed: i,
        tags: { TITLE: `k${i}`, ALBUM: 'K', ALBUMARTIST: 'K' },
      });
    const args = (o: string) => [bin, src, '-o', o, '-p', 'flac,mp3-v4', '-j', '2', '--json'];
    const clean = await tmp('kill-clean');
    expect((await cli(args(clean).slice(1))).code).toBe(0);

    const killed = await tmp('kill-out');
    const child = spawn(process.execPath, args(killed), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    const closed = new Promise((r) => child.on('close', r));
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (d) => {
        log += d;
        if ((log.match(/"event":"output"/g) ?? []).length >= 3) resolve();
      }),
    );
    process.kill(-child.pid!, 'SIGKILL');
    await closed;
    await new Promise((r) => setTimeout(r, 200));
    expect(await ffmpegProcessesMentioning(killed)).toEqual([]);
    const journaled = (await readFile(join(killed, '.audiofan-journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).output.path);
    const published = (await listFiles(killed)).filter((f) => /\.(flac|mp3)$/.test(f) && !f.includes('.audiofan-'));
    // Write-ahead: every file at a final path was journaled first (a journaled one may not be published yet).
    expect(journaled).toEqual(expect.arrayContaining(published));
    expect(published.length).toBeGreaterThanOrEqual(2);
    expect(published.length).toBeLessThan(12);
    for (const f of published) expect((await readBack(join(killed, f))).format.duration).toBeGreaterThan(29.9);

    const again = await cli(args(killed).slice(1));
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stderr.trim().split('\n').at(-1)!);
    expect(summary.outputsEncoded).toBe(12 - published.length);
    expect(again.stderr).toMatch(/recovered \d+ finished output\(s\) from an interrupted run's journal/);
    const files = (await listFiles(clean)).filter((f) => !f.endsWith('.json'));
    expect((await listFiles(killed)).filter((f) => !f.endsWith('.json'))).toEqual(files);
    for (const f of files) {
      const [a, b] = [await readBack(join(clean, f)), await readBack(join(killed, f))];
      expect(b.format.duration, f).toBe(a.format.duration);
      expect(b.common, f).toEqual(a.common);
    }
    expect(await stat(join(killed, '.audiofan-journal.ndjson')).catch(() => 'folded')).toBe('folded');
  });
});

describe('other changes', () => {
  it('a new folder image: outputs are retagged with it; a different ffmpeg version: kept and reported, re-encoded when asked', async () => {
    const src = await tmp('art-change-src');
    const dest = await tmp('art-change-out');
    await track(join(src, 'A', '01.flac'), { seconds: 1, tags: { TITLE: 'x' } });
    const opts = { sources: [src], output: dest, presets: ['mp3-v4', 'opus-64'] };
    await convertLibrary(opts);
    await exec(ffmpeg(), [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=120x120',
      '-frames:v',
      '1',
      join(src, 'A', 'folder.jpg'),
    ]);
    const r = await convertLibrary(opts);
    expect(r.summary).toMatchObject({ outputsEncoded: 0, outputsRetagged: 2 });
    expect((await readBack(join(dest, 'opus-64', 'A', '01.opus'))).common.picture).toHaveLength(1);
    const { ffmpegBinaries } = await import('./helpers.js');
    const other = ffmpegBinaries().find((b) => b.path !== ffmpeg())!;
    const kept = await convertLibrary({ ...opts, ffmpegPath: other.path });
    expect(kept.summary).toMatchObject({ outputsEncoded: 0, outputsKept: 2, encoderChanged: 2 });
    const again = await convertLibrary({ ...opts, ffmpegPath: other.path, reencodeOnEncoderChange: true });
    expect(again.summary.outputsEncoded).toBe(2);
    expect(again.sources[0].outputs.every((o) => o.reason === 'encoder version changed')).toBe(true);
  });
});
