/**
 * Bad configuration never crashes: config files, options, the ffmpeg binary and the output folder's manifest
 * each give a specific error naming the file or option, exit 2, and leave the user's files as they were.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { cli, tmp, track, fatalLine } from './helpers.js';

let lib: string;
beforeAll(async () => {
  lib = await tmp('config-src');
  await track(join(lib, 'Album/01 One.flac'), { seconds: 1 });
});

describe('config file values are checked, each naming the file, the key and the reason (exit 2)', () => {
  it.each([
    ['presets is a number', { presets: 5 }, '"presets": expected a list of strings, got 5'],
    ['presets is an empty list', { presets: [] }, '"presets": expected at least one id, got an empty list'],
    ['followSymlinks is a string', { followSymlinks: 'no' }, '"followSymlinks": expected true or false, got "no"'],
    ['loudness is a number', { loudness: 0 }, '"loudness": expected true or false, got 0'],
    ['jobs out of range', { jobs: 0 }, '"jobs": expected a whole number from 1 to 256, got 0'],
    ['jobs as a string', { jobs: '4' }, '"jobs": expected a whole number from 1 to 256, got "4"'],
    ['id3v2 not 3 or 4', { id3v2: 2 }, '"id3v2": expected one of 3, 4, got 2'],
    [
      'artMaxSize too small',
      { artMaxSize: 8 },
      '"artMaxSize": expected a whole number of pixels from 16 to 10000, got 8',
    ],
    ['presetDirs is a string', { presetDirs: '/tmp' }, '"presetDirs": expected a list of strings, got "/tmp"'],
    [
      'a null inline preset',
      { definePresets: [null] },
      '"definePresets": expected a list of objects, but item 0 is null',
    ],
    ['an unknown fsProfile', { fsProfile: 'fat16' }, '"fsProfile": expected one of "universal", "posix"'],
    ['layout is not a string', { layout: 7 }, '"layout": expected a non-empty string, got 7'],
    ['output is an empty string', { output: '' }, '"output": expected a non-empty string, got ""'],
    ['not an object', [1, 2], 'expected a JSON object'],
  ])('%s', async (_name, content, reason) => {
    const dir = await tmp('cfg');
    const file = join(dir, 'audiofan.json');
    await writeFile(file, JSON.stringify(content));
    const r = await cli([lib, '-o', join(dir, 'out'), '--config', file, '--dry-run']);
    expect(r.code, r.stderr).toBe(2);
    expect(fatalLine(r.stderr)).toContain(`audiofan: error [E_CONFIG_INVALID]: config file ${file}: ${reason}`);
  });

  it('a valid config file still works', async () => {
    const dir = await tmp('cfg');
    const file = join(dir, 'audiofan.json');
    await writeFile(
      file,
      JSON.stringify({
        presets: 'mp3-v4',
        jobs: 2,
        followSymlinks: false,
        id3v2: 3,
        loudness: false,
        fsProfile: 'posix',
        artMaxSize: 500,
      }),
    );
    const r = await cli([lib, '-o', join(dir, 'out'), '--config', file, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-c:a libmp3lame -q:a 4');
  });
});

describe('config files that are not small regular files are refused without reading them (exit 2)', () => {
  it.each([
    ['/dev/zero (endless)', async () => '/dev/zero', 'not a regular file'],
    [
      'a FIFO (would block)',
      async (dir: string) => {
        const f = join(dir, 'fifo.json');
        execFileSync('mkfifo', [f]);
        return f;
      },
      'not a regular file',
    ],
    ['a folder', async (dir: string) => dir, 'not a regular file'],
    [
      'a 2 MiB file',
      async (dir: string) => {
        const f = join(dir, 'big.json');
        await writeFile(f, `{"output": "${'x'.repeat(2 << 20)}"}`);
        return f;
      },
      'larger than 1048576 bytes',
    ],
    ['a missing file', async (dir: string) => join(dir, 'nope.json'), 'ENOENT'],
  ])('%s', async (_name, make, reason) => {
    const dir = await tmp('cfg');
    const file = await make(dir);
    const started = Date.now();
    const r = await cli([lib, '-o', join(dir, 'out'), '--config', file, '--dry-run']);
    expect(r.code, r.stderr).toBe(2);
    expect(fatalLine(r.stderr)).toContain(`audiofan: error [E_CONFIG_INVALID]: config file ${file}: `);
    expect(fatalLine(r.stderr)).toContain(reason);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('library options get the same checks and reasons (E_USAGE naming the option)', () => {
  it.each([
    ['followSymlinks as a string', { followSymlinks: 'no' }, 'option followSymlinks: expected true or false, got "no"'],
    ['presets as one string', { presets: 'mp3-v0' }, 'option presets: expected a list of strings, got "mp3-v0"'],
    ['force as a number', { force: 1 }, 'option force: expected true or false, got 1'],
    ['dryRun as a string', { dryRun: 'yes' }, 'option dryRun: expected true or false, got "yes"'],
    [
      'extraPresets holding null',
      { extraPresets: [null] },
      'option extraPresets: expected a list of objects, but item 0 is null',
    ],
    ['id3v2Version 2', { id3v2Version: 2 }, 'option id3v2Version: expected one of 3, 4, got 2'],
  ])('%s', async (_name, extra, message) => {
    await expect(
      convertLibrary({ sources: [lib], output: await tmp('opt-out'), ...extra } as never),
    ).rejects.toMatchObject({ code: 'E_USAGE', message });
  });
});

describe('an ffmpeg that is not usable is named, with what it answered (exit 2, never 70)', () => {
  it.each([
    [
      '/bin/false',
      '/bin/false is not a usable ffmpeg: `/bin/false -hide_banner -version` exited with code 1 and printed nothing',
    ],
    [
      '/bin/echo',
      '/bin/echo is not ffmpeg: `/bin/echo -hide_banner -version` answered "-hide_banner -version", not "ffmpeg version ..."',
    ],
  ])('--ffmpeg %s', async (binary, message) => {
    const out = await tmp('ff-out');
    const r = await cli([lib, '-o', out, '--ffmpeg', binary, '-p', 'flac']);
    expect(r.code, r.stderr).toBe(2);
    expect(fatalLine(r.stderr)).toContain(`audiofan: error [E_FFMPEG_UNUSABLE]: ${message}`);
    const doctor = await cli(['doctor', '--ffmpeg', binary]);
    expect(doctor.code).toBe(2);
    expect(doctor.stdout).toContain(message);
  });
});

describe('a manifest this build cannot use stops the run and is left byte-identical (exit 2)', () => {
  const good = { path: '/music/a.flac', status: 'ok', outputs: [] };
  const output = {
    preset: 'flac',
    presetHash: 'abc',
    path: 'flac/a.flac',
    status: 'ok',
    action: 'encoded',
    reason: 'new',
    ffmpegVersion: '6',
  };
  const manifest = (sources: unknown[], version: unknown = 1) =>
    JSON.stringify({ manifestVersion: version, tool: { name: 'audiofan', version: '9.9.9' }, sources });
  it.each([
    [
      'sources: [null]',
      manifest([null]),
      'E_MANIFEST_INVALID',
      '/sources/0: expected a source object with a string "path", got null',
    ],
    [
      'a source that is a string',
      manifest([good, 'a.flac']),
      'E_MANIFEST_INVALID',
      '/sources/1: expected a source object with a string "path", got "a.flac"',
    ],
    [
      'a source without a path',
      manifest([{ status: 'ok', outputs: [] }]),
      'E_MANIFEST_INVALID',
      '/sources/0/path: expected a non-empty string, got nothing',
    ],
    [
      'outputs not a list',
      manifest([{ ...good, outputs: {} }]),
      'E_MANIFEST_INVALID',
      '/sources/0/outputs: expected a list, got {}',
    ],
    [
      'an output of null',
      manifest([{ ...good, outputs: [null] }]),
      'E_MANIFEST_INVALID',
      '/sources/0/outputs/0: expected an output object, got null',
    ],
    [
      'an output path leaving the folder',
      manifest([{ ...good, outputs: [{ ...output, path: '../../victim.flac' }] }]),
      'E_MANIFEST_INVALID',
      '/sources/0/outputs/0/path: "../../victim.flac" leaves the output folder',
    ],
    [
      'sources not a list',
      JSON.stringify({ manifestVersion: 1, sources: 5 }),
      'E_MANIFEST_INVALID',
      '/sources: expected a list, got 5',
    ],
    ['manifestVersion as a string', manifest([], '1'), 'E_MANIFEST_INVALID', '/manifestVersion: expected 1, got "1"'],
    [
      'a newer manifestVersion',
      manifest([good], 2),
      'E_MANIFEST_NEWER',
      'written by a newer audiofan (manifest version 2; this audiofan',
    ],
  ])('%s', async (_name, text, code, detail) => {
    const out = await tmp('man-out');
    const file = join(out, 'audiofan-manifest.json');
    await writeFile(file, text);
    const r = await cli([lib, '-o', out, '-p', 'flac']);
    expect(r.code, r.stderr).toBe(2);
    expect(fatalLine(r.stderr)).toContain(`audiofan: error [${code}]: ${file}`);
    expect(fatalLine(r.stderr)).toContain(detail);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(existsSync(join(out, 'flac')), 'nothing was converted').toBe(false);
    expect(existsSync(join(out, '.audiofan.lock')), 'the lock was released').toBe(false);
  });

  it('a newer manifest says it must not be replaced by an older audiofan', async () => {
    const out = await tmp('man-out');
    await writeFile(join(out, 'audiofan-manifest.json'), manifest([], 7));
    const r = await cli([lib, '-o', out, '-p', 'flac', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/an older audiofan must not replace it: upgrade audiofan/);
  });

  it('a truncated manifest still only warns, and the run redoes everything (exit 0)', async () => {
    const out = await tmp('man-out');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'audiofan-manifest.json'), manifest([good]).slice(0, 40));
    const r = await cli([lib, '-o', out, '-p', 'flac', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/unreadable manifest/);
    expect(existsSync(join(out, 'flac', 'Album', '01 One.flac'))).toBe(true);
  });
});
