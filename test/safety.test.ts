/**
 * Never lose or overwrite a file that is not ours: each case was a reproduced data loss. Real files,
 * real folders, real links; unreadable folders are tried as a non-root user (made with useradd when
 * the tests run as root), and a remount on a real tmpfs.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type RunResult } from '../dist/src/index.js';
import { bin, cli, listFiles, tmp, track, type CliResult } from './helpers.js';

const exec = promisify(execFile);
const PRESETS = ['mp3-v4'];

/** A small library: two albums of one short track each. */
async function library(name: string): Promise<string> {
  const lib = await tmp(`${name}-src`);
  await track(join(lib, 'A', '1.flac'), { seconds: 1, seed: 1, tags: { TITLE: 'one', ALBUM: 'A' } });
  await track(join(lib, 'B', '2.flac'), { seconds: 1, seed: 2, tags: { TITLE: 'two', ALBUM: 'B' } });
  return lib;
}

const convert = (lib: string, out: string, extra: Record<string, unknown> = {}): Promise<RunResult> =>
  convertLibrary({ sources: [lib], output: out, presets: PRESETS, jobs: 2, ...extra });
const manifest = async (out: string) => JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
const lines = (r: CliResult) =>
  r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** A non-root user to run the CLI as, or why there is none. */
let user: { uid: number; gid: number } | undefined;
let noUser = '';
beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    noUser = 'the tests do not run as root, so no user can be made to try unreadable folders with';
    return;
  }
  const name = 'audiofan-test';
  await exec('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]).catch(() => undefined);
  try {
    const { stdout } = await exec('id', ['-u', name]);
    user = { uid: Number(stdout), gid: Number((await exec('id', ['-g', name])).stdout) };
  } catch (e) {
    noUser = `useradd failed: ${(e as Error).message}`;
  }
});

/** Run the built CLI as the non-root user (chmod 000 stops only non-root). */
function cliAs(u: { uid: number; gid: number }, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      'setpriv',
      [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', process.execPath, bin, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('--delete never deletes outputs whose sources it merely could not see', () => {
  it('the share is not mounted (the source folder is empty): nothing deleted, a warning, exit 1', async () => {
    const lib = await library('unmounted');
    const out = await tmp('unmounted-out');
    expect((await convert(lib, out)).summary.outputsEncoded).toBe(2);
    await rename(lib, `${lib}.real`);
    await mkdir(lib);
    const r = await cli([lib, '-o', out, '-p', 'mp3-v4', '--delete', '--max-delete', '100%', '--json']);
    expect(r.code).toBe(1);
    const summary = lines(r).find((l) => l.event === 'summary');
    expect(summary).toMatchObject({ orphansDeleted: 0, orphans: 2, scanProblems: 1 });
    expect(summary.deleteRefused).toMatch(/source folder .* is empty \(is it mounted\?\)/);
    expect(lines(r).some((l) => l.level === 40 && /nothing deleted: source folder .* is empty/.test(l.msg))).toBe(true);
    expect(await listFiles(out)).toEqual(['audiofan-manifest.json', 'mp3-v4/A/1.mp3', 'mp3-v4/B/2.mp3']);
    expect((await manifest(out)).problems).toEqual([
      { path: lib, kind: 'empty-root', reason: expect.stringMatching(/no files/) },
    ]);
  });

  it('an album folder replaced by a dangling link: its outputs are kept; the link is reported', async () => {
    const lib = await library('dangling');
    const out = await tmp('dangling-out');
    await convert(lib, out);
    await rm(join(lib, 'A'), { recursive: true });
    await symlink('/nonexistent/share/A', join(lib, 'A'));
    const r = await convert(lib, out, { delete: true, maxDelete: '100%' });
    expect(r.summary).toMatchObject({ orphansDeleted: 0, scanProblems: 1 });
    expect(r.problems).toEqual([
      { path: join(lib, 'A'), kind: 'dangling-link', reason: 'symbolic link whose target cannot be reached' },
    ]);
    expect(await listFiles(out)).toContain('mp3-v4/A/1.mp3');
    expect(r.exitCode).toBe(1);
  });

  it('a source folder on another device than last run (a mount that came or went): nothing deleted', async (ctx) => {
    const mnt = await tmp('remount');
    try {
      await exec('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    } catch (e) {
      ctx.skip(`cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]}), so a remount cannot be made`);
    }
    const out = await tmp('remount-out');
    try {
      await track(join(mnt, 'A', '1.flac'), { seconds: 1, seed: 1, tags: { TITLE: 'one' } });
      await track(join(mnt, 'B', '2.flac'), { seconds: 1, seed: 2, tags: { TITLE: 'two' } });
      await convert(mnt, out);
      // The same path, now on the disk underneath, holding only part of the library.
      const a = await readFile(join(mnt, 'A', '1.flac'));
      await exec('umount', [mnt]);
      await mkdir(join(mnt, 'A'), { recursive: true });
      await writeFile(join(mnt, 'A', '1.flac'), a);
      const r = await convert(mnt, out, { delete: true, maxDelete: '100%' });
      expect(r.summary.orphansDeleted).toBe(0);
      expect(r.summary.deleteRefused).toMatch(/on another device than in the last run/);
      expect(await listFiles(out)).toContain('mp3-v4/B/2.mp3');
    } finally {
      await exec('umount', [mnt]).catch(() => undefined);
    }
  });

  describe('as a user who cannot read a folder', () => {
    const setup = async (name: string) => {
      const lib = await library(name);
      const out = await tmp(`${name}-out`);
      for (const d of [lib, join(lib, 'A'), join(lib, 'B'), out]) await chown(d, user!.uid, user!.gid);
      for (const f of ['A/1.flac', 'B/2.flac']) await chown(join(lib, f), user!.uid, user!.gid);
      const first = await cliAs(user!, [lib, '-o', out, '-p', 'mp3-v4', '--json']);
      expect(first.code, first.stderr).toBe(0);
      return { lib, out };
    };

    it('an album folder chmod 000: its outputs are kept, the folder is reported with the reason', async (ctx) => {
      if (!user) ctx.skip(noUser);
      const { lib, out } = await setup('chmod-album');
      await chmod(join(lib, 'A'), 0);
      const r = await cliAs(user!, [lib, '-o', out, '-p', 'mp3-v4', '--delete', '--max-delete', '100%', '--json']);
      await chmod(join(lib, 'A'), 0o755);
      expect(r.code).toBe(1);
      const log = lines(r);
      expect(log.find((l) => l.event === 'scan')).toMatchObject({
        path: join(lib, 'A'),
        kind: 'unreadable',
        reason: 'cannot read this folder: permission denied',
      });
      expect(log.find((l) => l.event === 'summary')).toMatchObject({ orphansDeleted: 0, orphans: 0, scanProblems: 1 });
      expect(await listFiles(out)).toContain('mp3-v4/A/1.mp3');
      expect((await manifest(out)).problems[0]).toMatchObject({ path: join(lib, 'A'), kind: 'unreadable' });
    });

    it('the source folder itself chmod 000: nothing deleted', async (ctx) => {
      if (!user) ctx.skip(noUser);
      const { lib, out } = await setup('chmod-root');
      await chmod(lib, 0);
      const r = await cliAs(user!, [lib, '-o', out, '-p', 'mp3-v4', '--delete', '--max-delete', '100%', '--json']);
      await chmod(lib, 0o755);
      expect(r.code).toBe(1);
      const summary = lines(r).find((l) => l.event === 'summary');
      expect(summary).toMatchObject({ orphansDeleted: 0, scanProblems: 1 });
      expect(await listFiles(out)).toEqual(['audiofan-manifest.json', 'mp3-v4/A/1.mp3', 'mp3-v4/B/2.mp3']);
    });
  });
});

describe('a moved or remounted library', () => {
  it('is recognised by folder position and relative path: outputs kept and re-pointed, nothing deleted or redone', async () => {
    const lib = await library('moved');
    const out = await tmp('moved-out');
    await convert(lib, out);
    const moved = `${lib}-moved`;
    await rename(lib, moved);
    const r = await convert(moved, out, { delete: true });
    expect(r.summary).toMatchObject({
      outputsEncoded: 0,
      outputsKept: 2,
      orphans: 0,
      orphansDeleted: 0,
      failedSources: 0,
    });
    expect(r.exitCode).toBe(0);
    expect((await manifest(out)).sources.map((s: { path: string }) => s.path)).toEqual([
      join(moved, 'A', '1.flac'),
      join(moved, 'B', '2.flac'),
    ]);
    expect(await listFiles(out)).toEqual(['audiofan-manifest.json', 'mp3-v4/A/1.mp3', 'mp3-v4/B/2.mp3']);
    // And the next run, from the new place, is a no-op.
    expect((await convert(moved, out)).summary).toMatchObject({ outputsEncoded: 0, outputsKept: 2 });
  });
});

describe('files audiofan did not make', () => {
  it('a file at an output path is never replaced, on the first run or any later one', async () => {
    const lib = await library('foreign');
    const out = await tmp('foreign-out');
    await mkdir(join(out, 'mp3-v4', 'A'), { recursive: true });
    await writeFile(join(out, 'mp3-v4', 'A', '1.mp3'), 'mine');
    for (const _ of [1, 2, 3]) {
      const r = await convert(lib, out);
      expect(r.exitCode).toBe(1);
      const o = r.sources.find((s) => s.path.endsWith('1.flac'))!.outputs[0];
      expect(o).toMatchObject({ status: 'failed', code: 'E_OUTPUT_COLLISION' });
      expect(o.message).toMatch(/a file audiofan did not make is already there; it was left alone/);
      expect(await readFile(join(out, 'mp3-v4', 'A', '1.mp3'), 'utf8')).toBe('mine');
    }
    expect((await convert(lib, out, { force: true })).exitCode).toBe(0);
    expect((await readFile(join(out, 'mp3-v4', 'A', '1.mp3'))).length).toBeGreaterThan(1000);
  });

  it('a lost manifest makes every existing output foreign until `audiofan adopt` records those whose audio matches', async () => {
    const lib = await library('lost');
    const out = await tmp('lost-out');
    await convert(lib, out);
    const before = await readFile(join(out, 'mp3-v4', 'A', '1.mp3'));
    await rm(join(out, 'audiofan-manifest.json'));
    // Not audio that matches: a text file where B's output goes.
    await writeFile(join(out, 'mp3-v4', 'B', '2.mp3'), 'a note, not audio');
    for (const _ of [1, 2]) {
      const r = await convert(lib, out);
      expect(r.sources.flatMap((s) => s.outputs).map((o) => o.code)).toEqual([
        'E_OUTPUT_COLLISION',
        'E_OUTPUT_COLLISION',
      ]);
      expect(await readFile(join(out, 'mp3-v4', 'A', '1.mp3'))).toEqual(before);
    }
    const adopted = await cli(['adopt', lib, '-o', out, '-p', 'mp3-v4', '--json']);
    expect(adopted.code).toBe(1);
    const m = await manifest(out);
    const a = m.sources.find((s: { path: string }) => s.path.endsWith('1.flac')).outputs[0];
    expect(a).toMatchObject({ status: 'ok', path: 'mp3-v4/A/1.mp3' });
    expect(['kept', 'retagged']).toContain(a.action);
    const b = m.sources.find((s: { path: string }) => s.path.endsWith('2.flac')).outputs[0];
    expect(b).toMatchObject({ status: 'failed', code: 'E_OUTPUT_COLLISION' });
    expect(b.message).toMatch(/its audio does not match the source/);
    expect(await readFile(join(out, 'mp3-v4', 'B', '2.mp3'), 'utf8')).toBe('a note, not audio');
    const next = await convert(lib, out);
    expect(next.sources.find((s) => s.path.endsWith('1.flac'))!.outputs[0]).toMatchObject({
      status: 'ok',
      action: 'kept',
    });
  });

  it('a link in the output tree to a folder outside it is never written through', async () => {
    const lib = await library('link-write');
    const out = await tmp('link-write-out');
    const elsewhere = await tmp('link-write-elsewhere');
    await mkdir(join(out, 'mp3-v4'), { recursive: true });
    await symlink(elsewhere, join(out, 'mp3-v4', 'A'));
    const r = await convert(lib, out);
    const o = r.sources.find((s) => s.path.endsWith('1.flac'))!.outputs[0];
    expect(o).toMatchObject({ status: 'failed', code: 'E_OUTPUT_PATH_UNSAFE' });
    expect(o.message).toMatch(/outside the output folder, through a symbolic link/);
    expect(await listFiles(elsewhere)).toEqual([]);
    expect(await listFiles(join(out, 'mp3-v4', 'B'))).toEqual(['2.mp3']);
  });

  it('a link in the output tree to a folder outside it is never deleted through', async () => {
    const lib = await library('link-delete');
    const out = await tmp('link-delete-out');
    const elsewhere = await tmp('link-delete-elsewhere');
    await convert(lib, out);
    // The album's output folder moved elsewhere (same files, same times) and linked back.
    await exec('cp', ['-a', join(out, 'mp3-v4', 'A'), join(elsewhere, 'A')]);
    await rm(join(out, 'mp3-v4', 'A'), { recursive: true });
    await symlink(join(elsewhere, 'A'), join(out, 'mp3-v4', 'A'));
    await rm(join(lib, 'A'), { recursive: true });
    const r = await convert(lib, out, { delete: true, maxDelete: '100%' });
    expect(r.summary.orphansDeleted).toBe(0);
    expect(await listFiles(join(elsewhere, 'A'))).toEqual(['1.mp3']);
  });

  it.each([
    ['the output folder inside a source', (lib: string) => join(lib, 'out')],
    ['the output folder equal to a source', (lib: string) => lib],
    ['a source inside the output folder', (lib: string) => join(lib, '..')],
  ])('%s is refused (E_OUTPUT_INSIDE_SOURCE, exit 2), nothing written', async (_n, outOf) => {
    const lib = await library('overlap');
    const before = await listFiles(lib);
    const r = await cli([lib, '-o', outOf(lib), '-p', 'mp3-v4', '--create']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_OUTPUT_INSIDE_SOURCE/);
    expect(await listFiles(lib)).toEqual(before);
  });
});

describe('an interrupted run', () => {
  it('never turns the outputs it did not touch into failures (an interrupted --force run redoes nothing next time)', async () => {
    const lib = await tmp('interrupt-src');
    for (let i = 1; i <= 6; i++)
      await track(join(lib, 'A', `${i}.flac`), { seconds: 6, seed: i, tags: { TITLE: `t${i}` } });
    const out = await tmp('interrupt-out');
    await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4', 'opus-64'], jobs: 1 });
    const controller = new AbortController();
    const run = convertLibrary({
      sources: [lib],
      output: out,
      presets: ['mp3-v4', 'opus-64'],
      jobs: 1,
      force: true,
      signal: controller.signal,
    });
    run.on('output', () => controller.abort());
    const r = await run;
    expect(r.exitCode).toBe(130);
    const all = r.sources.flatMap((s) => s.outputs);
    expect(all.filter((o) => o.status !== 'ok')).toEqual([]);
    expect(all.filter((o) => o.action === 'kept').every((o) => o.reason.startsWith('not done (run interrupted)'))).toBe(
      true,
    );
    const next = await convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4', 'opus-64'], jobs: 1 });
    expect(next.summary).toMatchObject({ outputsEncoded: 0, outputsFailed: 0, outputsKept: 12 });
  });
});

describe('failures keep their own words and codes', () => {
  it("a tag writer's own code reaches the manifest through the worker (E_OUTPUT_INVALID, not E_OUTPUT_WRITE)", async () => {
    const lib = await library('writer-code');
    const out = await tmp('writer-code-out');
    await convert(lib, out, { presets: ['flac'] });
    // The output damaged in place, size and time kept, so it still looks like ours and up to date...
    const flac = join(out, 'flac', 'A', '1.flac');
    const mtime = (await exec('stat', ['-c', '%.9Y', flac])).stdout.trim();
    const bytes = await readFile(flac);
    bytes.write('XXXX', 0, 'latin1');
    await writeFile(flac, bytes);
    await exec('touch', ['-m', '-d', `@${mtime}`, flac]);
    // ...and the source's tags edited, so it is retagged, not re-encoded.
    const { writeFlacTags } = await import('../dist/src/tagging/flac-file.js');
    const src = join(lib, 'A', '1.flac');
    await writeFlacTags(
      src,
      `${src}.new`,
      [
        ['TITLE', 'renamed'],
        ['ALBUM', 'A'],
      ],
      [],
    );
    await rename(`${src}.new`, src);
    const r = await convert(lib, out, { presets: ['flac'] });
    const o = r.sources.find((x) => x.path === src)!.outputs[0];
    expect(o).toMatchObject({ status: 'failed', code: 'E_OUTPUT_INVALID' });
    expect(o.message).toMatch(/not a FLAC file/);
  });

  it("keep ffmpeg's own words: the stderr tail and the line naming the cause reach the manifest", async () => {
    const lib = await library('stderr');
    const out = await tmp('stderr-out');
    const presets = await tmp('stderr-presets');
    await writeFile(
      join(presets, 'bad.json'),
      JSON.stringify({
        id: 'bad-opus',
        description: 'fails at run time',
        container: 'opus',
        extension: 'opus',
        encoder: 'libopus',
        encoderArgs: ['-application', 'nonsense'],
        sampleRates: [48000],
      }),
    );
    const r = await convertLibrary({ sources: [lib], output: out, presets: ['bad-opus'], presetDirs: [presets] });
    const o = r.sources[0].outputs[0];
    expect(o).toMatchObject({ status: 'failed', code: 'E_FFMPEG_FAILED' });
    expect(o.message).toMatch(/nonsense/);
    expect(o.stderrTail).toMatch(/Unable to parse option value "nonsense"/);
    expect((await manifest(out)).sources[0].outputs[0].stderrTail).toMatch(/nonsense/);
    expect(await stat(join(out, 'bad-opus', 'A', '1.opus')).catch(() => 'absent')).toBe('absent');
  });
});
