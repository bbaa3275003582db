/**
 * Bad input: every kind of broken or odd file becomes a specific manifest entry naming the file;
 * the rest of the batch converts; nothing partial is left anywhere.
 */
import { chmod, copyFile, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type ManifestSource, type RunResult } from '../dist/src/index.js';
import { cli, cover, ffmpeg, listFiles, readBack, tmp, track } from './helpers.js';

const ODD_NAMES = [
  '-leading dash.flac',
  'name with "quotes" and \'apostrophes\'.flac',
  'new\nline.flac',
  '日本語 ünïcødé – ok.flac',
  'http:not-a-url.flac',
];
const PRESETS = ['flac', 'mp3-v4', 'opus-64'];

let lib: string;
let out: string;
let result: RunResult;
const bySource = (name: string): ManifestSource => {
  const s = result.sources.find((x) => x.path === join(lib, name));
  if (!s) throw new Error(`no manifest entry for ${name}`);
  return s;
};

beforeAll(async () => {
  lib = await tmp('bad-src');
  out = await tmp('bad-out');
  const good = await track(join(lib, 'good.flac'), { seconds: 3, seed: 1, tags: { TITLE: 'Good' } });
  for (const n of ODD_NAMES) await track(join(lib, n), { seconds: 2, seed: 2, tags: { TITLE: n } });
  await writeFile(join(lib, 'zero.flac'), '');
  await writeFile(join(lib, 'garbage.flac'), randomBytes(50_000));
  await track(join(lib, 'truncated.flac'), { seconds: 6, seed: 3 });
  await truncate(join(lib, 'truncated.flac'), Math.floor((await stat(join(lib, 'truncated.flac'))).size * 0.4));
  // Valid headers promising 4 s, then noise where the frames should be: ffmpeg exits 0 having decoded nothing.
  const whole = await readFile(await track(join(lib, 'tmp-src.flac'), { seconds: 4, seed: 4 }));
  const header = whole.indexOf(Buffer.from([0xff, 0xf8]));
  await writeFile(
    join(lib, 'nothing decodes.flac'),
    Buffer.concat([whole.subarray(0, header), Buffer.alloc(whole.length - header, 0x55)]),
  );
  await copyFile(join(lib, 'tmp-src.flac'), join(lib, 'really flac.mp3'));
  await import('node:fs/promises').then((fs) => fs.rm(join(lib, 'tmp-src.flac')));
  await track(join(lib, 'really mp3.flac'), { seconds: 2, codec: 'libmp3lame', extraArgs: ['-f', 'mp3'] });
  await symlink(join(lib, 'does-not-exist.flac'), join(lib, 'dangling.flac'));
  await writeFile(join(lib, 'notes.txt'), 'not audio');
  await copyFile(good, join(lib, 'flac without extension'));
  await cover(join(lib, 'cover.jpg'));
  result = await convertLibrary({ sources: [lib], output: out, presets: PRESETS });
});

describe('bad input', () => {
  it.each([
    ['zero.flac', 'failed', 'E_SOURCE_EMPTY', /empty \(0 bytes\)/],
    ['garbage.flac', 'failed', 'E_SOURCE_CORRUPT', /not readable as audio/],
    ['truncated.flac', 'failed', 'E_SOURCE_TRUNCATED', /decodes to \d+\.\d+ s of audio but its header says 6\.00 s/],
    ['nothing decodes.flac', 'failed', 'E_NO_AUDIO_DECODED', /exited 0 but decoded no audio/],
    [
      'really mp3.flac',
      'skipped',
      'E_SOURCE_LOSSY',
      /lossy audio \(its extension says \.flac but the content is mp3\)/,
    ],
    ['dangling.flac', 'failed', 'E_SOURCE_UNREADABLE', /symbolic link to a missing file/],
  ])('%s -> %s %s, with a message naming the file', (name, status, code, msg) => {
    const s = bySource(name);
    expect(s.status).toBe(status);
    expect(s.code).toBe(code);
    expect(s.message).toContain(join(lib, name));
    expect(s.message).toMatch(msg);
  });

  it('a file whose extension lies about lossless content is converted by its content', async () => {
    const s = bySource('really flac.mp3');
    expect(s.status).toBe('ok');
    expect(s.codec).toBe('flac');
    expect(s.warnings?.join()).toMatch(/extension does not match content/);
    expect((await readBack(join(out, 'opus-64', 'really flac.opus'))).format.codec).toBe('Opus');
  });

  // The default filesystem profile ("universal") makes names valid everywhere: : " and control characters become _.
  const SAFE: Record<string, string> = {
    '-leading dash.flac': '-leading dash',
    'name with "quotes" and \'apostrophes\'.flac': "name with _quotes_ and 'apostrophes'",
    'new\nline.flac': 'new_line',
    '日本語 ünïcødé – ok.flac': '日本語 ünïcødé – ok',
    'http:not-a-url.flac': 'http_not-a-url',
  };
  it.each(ODD_NAMES)('odd name %j converts to every preset (named safely for every filesystem)', async (name) => {
    expect(bySource(name).status).toBe('ok');
    const m = await readBack(join(out, 'mp3-v4', `${SAFE[name]}.mp3`));
    expect(m.common.title).toBe(name);
  });

  it('with the posix profile, odd names are kept as they are', async () => {
    const dest = await tmp('posix-out');
    const r = await convertLibrary({ sources: [lib], output: dest, presets: ['opus-64'], fsProfile: 'posix' });
    for (const n of ODD_NAMES) {
      expect(r.sources.find((x) => x.path === join(lib, n))!.outputs[0].path).toBe(
        join('opus-64', n.replace(/\.flac$/, '.opus')),
      );
    }
  });

  it('the batch goes on: good files convert; failed ones leave no output and no temporary anywhere', async () => {
    expect(bySource('good.flac').status).toBe('ok');
    const files = await listFiles(out);
    expect(files.filter((f) => f.includes('.partial') || f.includes('audiofan-'))).toEqual(['audiofan-manifest.json']);
    for (const bad of ['zero', 'garbage', 'truncated', 'nothing decodes', 'really mp3', 'dangling']) {
      expect(files.filter((f) => f.includes(`/${bad}.`))).toEqual([]);
    }
    // good, the odd names, the lying .mp3 and the extension-less FLAC: all found by content
    expect(files.filter((f) => !f.endsWith('.json'))).toHaveLength((1 + ODD_NAMES.length + 2) * PRESETS.length);
    expect(files).toContain('opus-64/flac without extension.opus');
    expect(result.summary).toMatchObject({ failedSources: 5, skippedSources: 1, ignoredFiles: 2 });
    expect(result.exitCode).toBe(1);
  });

  it('an output shorter than the decoded audio is failed (ffmpeg exit 0 is not proof), and not left in place', async () => {
    // A stand-in for a muxer or disk that loses data while ffmpeg still exits 0: the real ffmpeg
    // runs, then the Opus output is cut in half. The Opus file stays valid, and shorter.
    const dir = await tmp('lossy-ffmpeg');
    const wrapper = join(dir, 'ffmpeg');
    await writeFile(
      wrapper,
      `#!/bin/sh
"${ffmpeg()}" "$@" || exit $?
for a in "$@"; do case "$a" in *.opus.partial) f="\${a#file:}"; truncate -s $(( $(stat -c %s "$f") / 2 )) "$f";; esac; done
exit 0
`,
    );
    await chmod(wrapper, 0o755);
    const src = await tmp('cut-src');
    await track(join(src, 'song.flac'), { seconds: 4 });
    const dest = await tmp('cut-out');
    const r = await convertLibrary({
      sources: [src],
      output: dest,
      presets: ['opus-64', 'mp3-v4'],
      jobs: 1,
      ffmpegPath: wrapper,
    });
    const outputs = r.sources[0].outputs;
    expect(outputs.find((o) => o.preset === 'opus-64')).toMatchObject({ status: 'failed', code: 'E_OUTPUT_DURATION' });
    expect(outputs.find((o) => o.preset === 'opus-64')!.message).toMatch(
      /output lasts \d\.\d+ s but 4\.00 s of audio was decoded from .*song\.flac/,
    );
    expect(outputs.find((o) => o.preset === 'mp3-v4')).toMatchObject({ status: 'ok' });
    expect(await listFiles(dest)).toEqual(['audiofan-manifest.json', 'mp3-v4/song.mp3']);
  });

  it('a preset that would trim, seek or remap is refused when loaded', async () => {
    const dir = await tmp('cut-preset');
    await writeFile(
      join(dir, 'cut.json'),
      JSON.stringify({
        id: 'mp3-cut',
        description: 'cuts after 1 s',
        container: 'mp3',
        extension: 'mp3',
        encoder: 'libmp3lame',
        encoderArgs: ['-q:a', '4', '-t', '1'],
      }),
    );
    await expect(
      convertLibrary({ sources: [lib], output: await tmp('x'), presets: ['mp3-cut'], presetDirs: [dir] }),
    ).rejects.toMatchObject({
      code: 'E_PRESET_INVALID',
      message: expect.stringMatching(/cut\.json: \/encoderArgs must not contain -t/),
    });
  });

  it('the CLI exits 1 when some files failed, and 0 when all is well', async () => {
    const failing = await cli([lib, '-o', await tmp('bad-cli'), '-p', 'opus-64', '--json']);
    expect(failing.code).toBe(1);
    const okLib = await tmp('ok-src');
    await track(join(okLib, 'a.flac'), { seconds: 1 });
    const fine = await cli([okLib, '-o', await tmp('ok-out'), '-p', 'opus-64', '--json']);
    expect(fine.code).toBe(0);
  });
});
