/**
 * The built CLI, spawned as a user would run it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, cli, cover, listFiles, tmp, track } from './helpers.js';

const exec = promisify(execFile);
let lib: string;

beforeAll(async () => {
  lib = await tmp('cli-src');
  const art = await cover(join(await tmp('art'), 'c.jpg'));
  await track(join(lib, 'Artist/Album/01 It\'s a "test".flac'), { seconds: 2, tags: { TITLE: 'One' }, cover: art });
  await track(join(lib, 'Artist/Album/02 Two.flac'), { seconds: 2, seed: 2, tags: { TITLE: 'Two' } });
});

describe('usage', () => {
  it('--help shows usage, examples and exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: audiofan \[options\] \[command\] \[sources\.\.\.\]/);
    expect(r.stdout).toMatch(/Examples:\n {2}audiofan ~\/Music -o ~\/Lossy -p mp3-v0,opus-128/);
    expect(r.stdout).toMatch(
      /Exit codes: 0 all done, 1 some files failed, 2 usage or configuration error, 74 the manifest could\nnot be written, 75 output folder in use by another run \(try later\), 130 interrupted, 70 a bug\./,
    );
  });

  it.each([
    ['no source folder', [], /no source folder given/],
    ['no output folder', ['SRC'], /E_USAGE.*no output folder/],
    ['unknown preset', ['SRC', '-o', 'OUT', '-p', 'mp3-v0,ogg-99'], /E_PRESET_UNKNOWN.*"ogg-99"/],
    [
      'missing source folder',
      ['/no/such/music', '-o', 'OUT'],
      /E_SOURCE_DIR_MISSING.*\/no\/such\/music does not exist/,
    ],
    ['bad job count', ['SRC', '-o', 'OUT', '-j', 'many'], /--jobs: expected a whole number/],
    ['unknown option', ['SRC', '-o', 'OUT', '--frobnicate'], /unknown option '--frobnicate'/],
    ['unreadable config file', ['SRC', '-o', 'OUT', '--config', '/no/such.json'], /E_CONFIG_INVALID.*\/no\/such\.json/],
  ])('%s -> exit 2 with a clear message', async (_n, args, msg) => {
    const out = await tmp('cli-out');
    const r = await cli(args.map((a) => (a === 'SRC' ? lib : a === 'OUT' ? join(out, 'o') : a)));
    expect(r.code).toBe(2);
    // Off a terminal stderr is NDJSON: the error is a line with its code.
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { code?: string; msg: string });
    expect(lines.map((l) => `${l.code} ${l.msg}`).join('\n')).toMatch(msg);
    expect(existsSync(join(out, 'o'))).toBe(false);
  });
});

describe('--dry-run', () => {
  it('prints the plan grouped, with reasons and totals, then the exact ffmpeg commands; writes nothing; a printed command really runs', async () => {
    const out = join(await tmp('dry'), 'out');
    const r = await cli([lib, '-o', out, '-p', 'mp3-v0,opus-128', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^encode: 4\n {2}mp3-v0\/Artist\/Album\/01 It's a _test_\.mp3 {2}\(new\)$/m);
    expect(r.stdout).toMatch(/^Totals: 4 encode, 0 retag, 0 delete, 0 orphan, 0 keep, 0 skip, 0 fail\.$/m);
    expect(r.stdout).toMatch(/^# ffmpeg commands \(2\):$/m);
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes('ffmpeg -nostdin'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /ffmpeg -nostdin -hide_banner -loglevel verbose -y -err_detect crccheck -max_error_rate 1 -i 'file:.*01 It'\\''s a "test"\.flac' -map 0:a:0 /,
    );
    expect(lines[0]).toMatch(
      // Then the master's sample hash (FLAC masters: checked against their STREAMINFO MD5).
      /-c:a libmp3lame -q:a 0 .* -c:a libopus -b:a 128k .* -af ebur128=peak=sample:framelog=verbose -f null pipe:1 -map 0:a:0 -c:a pcm_s16le -f md5 pipe:1$/,
    );
    expect(existsSync(out)).toBe(false);
    // Run the printed line through a shell: the quoting is right and the arguments are complete.
    await mkdir(join(out, 'mp3-v0', 'Artist', 'Album'), { recursive: true });
    await mkdir(join(out, 'opus-128', 'Artist', 'Album'), { recursive: true });
    await exec('sh', ['-c', lines[0]]);
    const made = await listFiles(out);
    expect(made).toHaveLength(2);
    expect(made.every((f) => f.endsWith('.partial'))).toBe(true);
  });

  it('--dry-run --json prints the plan as JSON', async () => {
    const r = await cli([lib, '-o', join(await tmp('dry'), 'out'), '-p', 'flac', '--dry-run', '--json']);
    const plan = JSON.parse(r.stdout);
    expect(plan.commands).toHaveLength(2);
    expect(plan.totals).toEqual({ encode: 2, retag: 0, delete: 0, orphan: 0, keep: 0, skip: 0, fail: 0 });
    expect(plan.sources[0].outputs[0]).toMatchObject({
      preset: 'flac',
      status: 'skipped',
      reason: 'dry run: would encode (new)',
    });
  });
});

describe('logs and reports', () => {
  it('off a TTY: NDJSON on stderr, one line per finished output and a summary line; nothing on stdout', async () => {
    const out = await tmp('json');
    const r = await cli([lib, '-o', out, '-p', 'mp3-v4,opus-64']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'output')).toHaveLength(4);
    expect(
      lines.filter((l) => l.event === 'output').every((l) => l.status === 'ok' && l.level === 30 && l.size > 0),
    ).toBe(true);
    const summary = lines.at(-1);
    expect(summary).toMatchObject({ event: 'summary', outputsEncoded: 4, exitCode: 0 });
  });

  it('on a TTY: a progress display and a summary table', async () => {
    const out = await tmp('tty');
    const cmd = [process.execPath, bin, lib, '-o', out, '-p', 'flac,mp3-v0']
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const { stdout } = await exec('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, COLUMNS: '120' } });
    expect(stdout).toMatch(/Encoding {2}\[[#.]{24}\] +\d+% {2}\d\/4 outputs {2}\d\/2 masters/);
    expect(stdout).toMatch(/preset +encoded +retagged +up to date +failed +orphans +written +size +of masters/);
    expect(stdout).toMatch(/^flac +2 +0 +0 +0 +0 +\d+\.\d [kM]B/m);
    expect(stdout).toMatch(/Manifest: .*audiofan-manifest\.json/);
  });

  it('settings: defaults < config file < environment < flags', async () => {
    const dir = await tmp('cfg');
    const cfg = join(dir, 'audiofan.json');
    await writeFile(cfg, JSON.stringify({ output: join(dir, 'from-config'), presets: ['mp3-128'] }));
    const presetsOf = (stdout: string) =>
      // pcm_* are the master's sample hashes, not presets.
      [...new Set([...stdout.matchAll(/-c:a ((?!pcm_)\S+) (-\S+ \S+)/g)].map((m) => `${m[1]} ${m[2]}`))].sort();
    const viaConfig = await cli([lib, '--config', cfg, '--dry-run']);
    expect(presetsOf(viaConfig.stdout)).toEqual(['libmp3lame -b:a 128k']);
    expect(viaConfig.stdout).toContain(join(dir, 'from-config'));
    const viaEnv = await cli([lib, '--config', cfg, '--dry-run'], { AUDIOFAN_PRESETS: 'opus-96' });
    expect(presetsOf(viaEnv.stdout)).toEqual(['libopus -b:a 96k']);
    const viaFlag = await cli([lib, '--config', cfg, '--dry-run', '-p', 'mp3-v2'], { AUDIOFAN_PRESETS: 'opus-96' });
    expect(presetsOf(viaFlag.stdout)).toEqual(['libmp3lame -q:a 2']);
    await writeFile(cfg, JSON.stringify({ output: 'x', bitrate: 3 }));
    const bad = await cli([lib, '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown key\(s\) bitrate/);
  });

  it('`audiofan demo` makes the demo library, converts it, and says where everything is', async () => {
    const dir = await tmp('demo');
    const r = await cli(['demo', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Manifest: .*output\/audiofan-manifest\.json/);
    const made = await listFiles(join(dir, 'output'));
    expect(made.filter((f) => f.startsWith('opus-128/'))).toHaveLength(6);
    expect(made.some((f) => f.includes('Broken Record'))).toBe(false);
    expect((await readdir(join(dir, 'library'))).sort()).toEqual([
      '.audiofan-demo',
      'Aurora Ensemble',
      'Night Signals',
    ]);
  });
});
