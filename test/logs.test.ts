/**
 * The log a cron job keeps (`2>>audiofan.ndjson`), over good, failing, refused and interrupted runs:
 * every line is JSON, every run ends with exactly one summary line carrying its exit code, every
 * failure names its file and code, and the README's jq recipes (read from the README) work on it.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, main } from '../dist/src/cli/main.js';
import { AudiofanError } from '../dist/src/index.js';
import { bin, repo, tmp, track } from './helpers.js';

const exec = promisify(execFile);
type Line = Record<string, unknown> & { level: number; msg: string; event?: string; code?: string };
interface Run {
  name: string;
  code: number | null;
  lines: Line[];
}

const PRESETS = 'mp3-v4,opus-64,opus-broken';
// Passes validation; libopus refuses the frame duration when ffmpeg opens the encoder.
const BROKEN = {
  id: 'opus-broken',
  description: 'fails at run time',
  container: 'opus',
  extension: 'opus',
  encoder: 'libopus',
  encoderArgs: ['-frame_duration', '7'],
  sampleRates: [48000],
  maxChannels: 2,
};

let lib: string;
let slowLib: string;
let out: string;
let presetDir: string;
let logPath: string;
const runs: Run[] = [];
const runNamed = (name: string) => runs.find((r) => r.name === name)!;
const manifestPath = () => join(out, 'audiofan-manifest.json');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logSize = () =>
  stat(logPath).then(
    (s) => s.size,
    () => 0,
  );
async function logSince(offset: number): Promise<string> {
  return (await readFile(logPath).catch(() => Buffer.alloc(0))).subarray(offset).toString('utf8');
}

/**
 * Run the built CLI with stderr appended to the log file, as cron's `2>>` does.
 * `signals`: send SIGINT once the log shows each pattern in turn (read from this run's part of the log).
 */
async function run(name: string, args: string[], signals: RegExp[] = []): Promise<Run> {
  const start = await logSize();
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [bin, ...args, '--json'], { stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (const pattern of signals) {
    while (!done && !pattern.test(await logSince(start))) await sleep(25);
    if (!done) child.kill('SIGINT');
  }
  const code = await exited;
  const text = await logSince(start);
  const r: Run = {
    name,
    code,
    lines: text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line),
  };
  runs.push(r);
  return r;
}

const sourceLine = (r: Run, file: string) => r.lines.find((l) => l.event === 'source' && l.source === join(lib, file));

beforeAll(async () => {
  const base = await tmp('logs');
  lib = join(base, 'music');
  slowLib = join(base, 'long music');
  out = join(base, 'lossy');
  presetDir = join(base, 'presets');
  logPath = join(base, 'audiofan.ndjson');
  await Promise.all(
    ['01 One', '02 Two', '03 Three'].map((n, i) =>
      track(join(lib, 'Artist/Album', `${n}.flac`), { seconds: 2, seed: i }),
    ),
  );
  await writeFile(join(lib, 'Artist/Album/04 Broken.flac'), randomBytes(40_000));
  await track(join(lib, 'Artist/Album/05 Lossy.mp3'), { seconds: 1, codec: 'libmp3lame' });
  await Promise.all([0, 1, 2, 3].map((i) => track(join(slowLib, `${i} long.flac`), { seconds: 30, seed: i })));
  await writeFile(join(base, 'bad-config.json'), '{ "output": "/lossy", ');
  await mkdir(presetDir);
  await writeFile(join(presetDir, 'opus-broken.json'), JSON.stringify(BROKEN));

  await run('first run', [lib, '-o', out, '-p', 'mp3-v4,opus-64', '--create']);
  await run('a preset that fails', [lib, '-o', out, '-p', PRESETS, '--presets-dir', presetDir]);
  await run('output folder missing', [lib, '-o', join(base, 'unmounted'), '-p', 'mp3-v4']);
  await run('bad config file', [lib, '--config', join(base, 'bad-config.json')]);
  await run('unknown option', [lib, '-o', out, '--frobnicate']);
  await rm(join(lib, 'Artist/Album/03 Three.flac'));
  await run('source deleted, no --delete', [lib, '-o', out, '-p', PRESETS, '--presets-dir', presetDir]);
  await run('--quiet', [lib, '-o', out, '-p', PRESETS, '--presets-dir', presetDir, '--quiet']);
  const slow = ['-p', 'flac,mp3-v0,opus-128', '-j', '1', '--create'];
  await run('SIGINT', [slowLib, '-o', join(base, 'interrupted'), ...slow], [/"event":"output"/]);
  await run(
    'SIGINT twice',
    [slowLib, '-o', join(base, 'interrupted twice'), ...slow],
    [/"event":"output"/, /"event":"signal"/],
  );
});

describe('a cron log', () => {
  it('every line of the log file is one JSON object (pino NDJSON)', async () => {
    const text = await readFile(logPath, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const l of text.trimEnd().split('\n')) expect(() => JSON.parse(l), l).not.toThrow();
    expect(runs.reduce((a, r) => a + r.lines.length, 0)).toBe(text.trimEnd().split('\n').length);
  });

  it('each run ends with exactly one summary line whose exitCode is the process exit code', () => {
    expect(runs.map((r) => [r.name, r.code])).toEqual([
      ['first run', 1],
      ['a preset that fails', 1],
      ['output folder missing', 2],
      ['bad config file', 2],
      ['unknown option', 2],
      ['source deleted, no --delete', 1],
      ['--quiet', 1],
      ['SIGINT', 130],
      ['SIGINT twice', 130],
    ]);
    for (const r of runs) {
      const summaries = r.lines.filter((l) => l.event === 'summary');
      expect(summaries, r.name).toHaveLength(1);
      expect(r.lines.at(-1), r.name).toBe(summaries[0]);
      expect(summaries[0].exitCode, r.name).toBe(r.code);
    }
  });

  it('the first run logs the corrupt file (error, its path and code) and the lossy one (warning, skipped)', () => {
    const r = runNamed('first run');
    expect(sourceLine(r, 'Artist/Album/04 Broken.flac')).toMatchObject({
      level: 50,
      status: 'failed',
      code: 'E_SOURCE_CORRUPT',
      msg: expect.stringContaining(join(lib, 'Artist/Album/04 Broken.flac')),
    });
    expect(sourceLine(r, 'Artist/Album/05 Lossy.mp3')).toMatchObject({
      level: 40,
      status: 'skipped',
      code: 'E_SOURCE_LOSSY',
    });
    expect(r.lines.filter((l) => l.event === 'output' && l.status === 'ok')).toHaveLength(6);
    expect(r.lines.at(-1)).toMatchObject({ failedSources: 1, skippedSources: 1, outputsEncoded: 6, outputsFailed: 0 });
  });

  it('every failed or skipped source and output in the manifest has a log line with its code and message', async () => {
    const manifest = JSON.parse(await readFile(manifestPath(), 'utf8'));
    const r = runNamed('source deleted, no --delete');
    let checked = 0;
    // A vanished source keeps its earlier record; this run has nothing to say about it.
    for (const s of manifest.sources.filter((x: { path: string }) => existsSync(x.path))) {
      if (!s.outputs.length && s.status !== 'ok') {
        expect(sourceLine(r, s.path.slice(lib.length + 1)), s.path).toMatchObject({
          code: s.code,
          msg: expect.any(String),
        });
        checked++;
      }
      for (const o of s.outputs.filter((x: { status: string }) => x.status === 'failed')) {
        const line = r.lines.find((l) => l.event === 'output' && l.path === o.path);
        expect(line, o.path).toMatchObject({
          level: 50,
          source: s.path,
          status: 'failed',
          code: o.code,
          msg: expect.stringMatching(/\S/),
        });
        checked++;
      }
    }
    expect(checked).toBe(2 + 2); // corrupt + lossy; opus-broken for the two tracks left
  });

  it('a run that fails at run time logs each failed output with E_FFMPEG_FAILED', () => {
    const failed = runNamed('a preset that fails').lines.filter((l) => l.event === 'output' && l.status === 'failed');
    expect(failed.map((l) => [l.preset, l.code])).toEqual(Array(3).fill(['opus-broken', 'E_FFMPEG_FAILED']));
  });

  it('a run that cannot start logs one fatal line with the code (and file), then its summary', () => {
    const fatal = (name: string) => runNamed(name).lines.filter((l) => l.level >= 60);
    expect(fatal('output folder missing')).toEqual([
      expect.objectContaining({ event: 'error', code: 'E_OUTPUT_MISSING', file: join(out, '..', 'unmounted') }),
    ]);
    expect(fatal('bad config file')).toEqual([
      expect.objectContaining({ code: 'E_CONFIG_INVALID', msg: expect.stringContaining('bad-config.json') }),
    ]);
    expect(fatal('unknown option')).toEqual([
      expect.objectContaining({ code: 'E_USAGE', msg: "unknown option '--frobnicate'" }),
    ]);
    for (const name of ['output folder missing', 'bad config file', 'unknown option']) {
      expect(runNamed(name).lines).toHaveLength(2);
      expect(runNamed(name).lines[1]).toMatchObject({ event: 'summary', exitCode: 2, code: fatal(name)[0].code });
    }
  });

  it('--quiet keeps warnings, errors and the summary line', () => {
    const lines = runNamed('--quiet').lines;
    expect(lines.filter((l) => l.level < 40).map((l) => l.event)).toEqual(['summary']);
    expect(lines.filter((l) => l.level >= 40).length).toBeGreaterThan(0);
  });

  it('SIGINT is logged as a line, not plain text; a second one quits at once with its own summary', () => {
    const once = runNamed('SIGINT').lines;
    expect(once.filter((l) => l.event === 'signal')).toEqual([
      expect.objectContaining({ level: 40, signal: 'SIGINT' }),
    ]);
    expect(once.at(-1)).toMatchObject({ event: 'summary', exitCode: 130 });
    const twice = runNamed('SIGINT twice').lines;
    // Unless the run finished stopping before the second signal came, main() wrote the summary.
    const quit = twice.find((l) => l.code === 'E_CANCELLED' && l.event === 'error');
    if (quit) expect(twice.at(-1)).toMatchObject({ event: 'summary', exitCode: 130, code: 'E_CANCELLED' });
  });
});

describe('exit codes', () => {
  it.each([
    ['E_MANIFEST_WRITE (by its code string)', Object.assign(new Error('disk full'), { code: 'E_MANIFEST_WRITE' }), 74],
    ['E_LOCKED', new AudiofanError('E_LOCKED', 'busy'), 75],
    ['E_OUTPUT_MISSING', new AudiofanError('E_OUTPUT_MISSING', 'no disk'), 2],
    ['any other AudiofanError', new AudiofanError('E_SOURCE_CORRUPT', 'x'), 2],
    ['a plain Error (a bug)', new TypeError('undefined is not a function'), 70],
    ['a Node error code', Object.assign(new Error('EACCES'), { code: 'EACCES' }), 70],
  ])('%s', (_n, e, code) => expect(exitCodeFor(e)).toBe(code));

  it('a bug exits 70 and logs its stack as NDJSON, then a summary', async () => {
    const file = join(await tmp('logs-bug'), 'bug.ndjson');
    const fd = openSync(file, 'a');
    const env = new Proxy(
      {},
      {
        get() {
          throw new TypeError('env exploded');
        },
      },
    ) as NodeJS.ProcessEnv;
    const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
    const code = await main(['node', 'audiofan', '/music', '-o', '/lossy'], {
      stdout: quiet,
      stderr: Object.assign(quiet, { fd, isTTY: false }),
      env,
    });
    closeSync(fd);
    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(code).toBe(70);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 60,
        event: 'error',
        code: 'E_INTERNAL',
        err: expect.objectContaining({ type: 'TypeError', stack: expect.stringMatching(/env exploded\n\s+at /) }),
      }),
      expect.objectContaining({ event: 'summary', exitCode: 70, code: 'E_INTERNAL' }),
    ]);
  });
});

const hasJq = process.env.PATH?.split(delimiter).some((d) => {
  try {
    closeSync(openSync(join(d, 'jq'), 'r'));
    return true;
  } catch {
    return false;
  }
});

describe.skipIf(!hasJq)(
  `the README's jq recipes, run on this log${hasJq ? '' : ' (skipped: no jq on PATH; apt-get install jq)'}`,
  () => {
    let recipes: string[];
    const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
    /** Run the README recipe containing `marker` with this test's log and manifest. */
    async function recipe(marker: string): Promise<string> {
      const line = recipes.find((r) => r.includes(marker));
      if (!line) throw new Error(`README: no jq recipe containing ${marker}`);
      const cmd = line
        .replaceAll('/var/log/audiofan.ndjson', q(logPath))
        .replaceAll('/lossy/audiofan-manifest.json', q(manifestPath()));
      return (await exec('bash', ['-o', 'pipefail', '-c', cmd])).stdout;
    }

    beforeAll(async () => {
      const readme = await readFile(join(repo, 'README.md'), 'utf8');
      const block = /```\n(jq -r 'select\(\.level >= 50\)[\s\S]*?)```/.exec(readme);
      if (!block) throw new Error('README: the jq block of "For cron and systemd" is gone');
      // A trailing "# comment" is preceded by two or more spaces; jq programs here contain no '#'.
      recipes = block[1]
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/\s{2,}#.*$/, ''));
    });

    it('what failed: every error line has a code; the corrupt file, the failing preset and the refused runs are there', async () => {
      const lines = (await recipe('select(.level >= 50)')).trimEnd().split('\n');
      expect(
        lines.filter((l) => /^null\b/.test(l)),
        'an error line without a code',
      ).toEqual([]);
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^E_SOURCE_CORRUPT .*${join(lib, 'Artist/Album/04 Broken.flac')}`)),
      );
      // opus-broken: three tracks, then the two left, twice.
      expect(lines.filter((l) => l.startsWith('E_FFMPEG_FAILED ')).length).toBe(3 + 2 + 2);
      for (const code of ['E_OUTPUT_MISSING', 'E_CONFIG_INVALID', 'E_USAGE'])
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${code} `)));
      expect(
        lines.some((l) => /E_SOURCE_LOSSY/.test(l)),
        'a skipped file is not a failure',
      ).toBe(false);
    });

    it('the last run: its summary line', async () => {
      const last = (await recipe('select(.event == "summary")')).trim();
      expect(JSON.parse(last)).toMatchObject({ event: 'summary', exitCode: runs.at(-1)!.code });
    });

    it("the manifest's counts", async () => {
      // Failed: the corrupt file, and the two tracks left whose opus-broken output failed.
      expect(JSON.parse(await recipe(`'.summary'`))).toMatchObject({
        lossless: 2,
        failedSources: 3,
        skippedSources: 1,
        outputsFailed: 2,
        orphans: 2,
      });
    });

    it('sources that are not ok, with status and code', async () => {
      const lines = (await recipe('.sources[] | select(.status != "ok")')).trimEnd().split('\n');
      for (const l of lines) expect(l).toMatch(new RegExp(`^(failed|skipped) E_[A-Z_]+ ${lib}/`));
      expect(lines).toEqual(
        expect.arrayContaining([
          `failed E_SOURCE_CORRUPT ${join(lib, 'Artist/Album/04 Broken.flac')}`,
          `skipped E_SOURCE_LOSSY ${join(lib, 'Artist/Album/05 Lossy.mp3')}`,
          `failed E_FFMPEG_FAILED ${join(lib, 'Artist/Album/01 One.flac')}`,
        ]),
      );
    });

    it('outputs that failed, with code and path', async () => {
      expect((await recipe('select(.status == "failed")')).trimEnd().split('\n')).toEqual(
        expect.arrayContaining([
          'E_FFMPEG_FAILED opus-broken/Artist/Album/01 One.opus',
          'E_FFMPEG_FAILED opus-broken/Artist/Album/02 Two.opus',
        ]),
      );
    });

    it('orphans: the outputs of the deleted source, kept because --delete was not given', async () => {
      expect((await recipe('select(.status == "orphan")')).trimEnd().split('\n').sort()).toEqual([
        'mp3-v4/Artist/Album/03 Three.mp3  orphan: source is gone or no longer selected',
        'opus-64/Artist/Album/03 Three.opus  orphan: source is gone or no longer selected',
      ]);
    });
  },
);
