/**
 * Everyday options through the built CLI (issue 11, points 4-7): file sources, --exclude, --flat, --log-file,
 * everything from a config file, --presets-dir not swallowing operands, help, completion, man page, doctor.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, execFileP, ffmpeg, listFiles, readBack, repo, tmp, track } from './helpers.js';

let lib: string;
const tags = (title: string) => ({ TITLE: title, ARTIST: 'Everyday', ALBUM: 'Options' });
beforeAll(async () => {
  lib = await tmp('everyday-src');
  await track(join(lib, 'Album/01 One.flac'), { seconds: 1, tags: tags('One') });
  await track(join(lib, 'Album/02 Two.flac'), { seconds: 1, tags: tags('Two'), seed: 2 });
  await track(join(lib, 'Live/01 Encore.flac'), { seconds: 1, tags: tags('Encore'), seed: 3 });
  // A damaged file: excluded, it is no longer retried (and failed) every night.
  const good = await readFile(await track(join(lib, 'Album/03 Damaged.flac'), { seconds: 2, seed: 4 }));
  await writeFile(join(lib, 'Album/03 Damaged.flac'), good.subarray(0, Math.floor(good.length / 2)));
});

const summary = (stderr: string) =>
  JSON.parse(
    stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('"event":"summary"'))
      .at(-1)!,
  );

describe('sources: a single file, several files', () => {
  it('converts one file given as the source; a second run keeps it (its key is stable)', async () => {
    const out = await tmp('everyday-file');
    const file = join(lib, 'Album/01 One.flac');
    const first = await cli([file, '-o', out, '-p', 'mp3-v4', '-j', '1', '--json']);
    expect(first.code).toBe(0);
    expect(await listFiles(out)).toContain('mp3-v4/01 One.mp3');
    expect((await readBack(join(out, 'mp3-v4/01 One.mp3'))).common.title).toBe('One');
    const again = await cli([file, '-o', out, '-p', 'mp3-v4', '-j', '1', '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/"event":"output"[^\n]*"action":"encode"/);
    expect(summary(again.stderr)).toMatchObject({ exitCode: 0, outputsKept: 1, outputsEncoded: 0 });
  });

  it('takes several files and a folder together', async () => {
    const out = await tmp('everyday-files');
    const r = await cli(
      [join(lib, 'Album/01 One.flac'), join(lib, 'Album/02 Two.flac'), join(lib, 'Live'), '-o', out, '-p', 'mp3-v4'],
      {},
    );
    expect(r.code).toBe(0);
    expect((await listFiles(out)).filter((f) => f.endsWith('.mp3')).sort()).toEqual([
      'mp3-v4/01 Encore.mp3',
      'mp3-v4/01 One.mp3',
      'mp3-v4/02 Two.mp3',
    ]);
  });

  it('a source that is neither a file nor a folder is an error naming it', async () => {
    const out = await tmp('everyday-dev');
    const r = await cli(['/dev/null', '-o', out, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('source /dev/null is neither a folder nor a regular file');
  });
});

describe('--exclude', () => {
  it('leaves out matching files and folders: not probed, not failed; their old outputs are orphans behind the guard', async () => {
    const out = await tmp('everyday-exclude');
    const base = [lib, '-o', out, '-p', 'mp3-v4', '-j', '2', '--json'];
    const all = await cli(base);
    expect(all.code).toBe(1); // the damaged file fails
    expect(await listFiles(out)).toContain('mp3-v4/Live/01 Encore.mp3');
    const ex = await cli([...base, '--exclude', '**/03 Damaged.flac', '--exclude', 'Live/**']);
    expect(ex.code).toBe(0);
    expect(ex.stderr).not.toContain('Damaged');
    // Without --delete the excluded source's output stays; it is reported as an orphan.
    expect(await listFiles(out)).toContain('mp3-v4/Live/01 Encore.mp3');
    expect(ex.stderr).toMatch(/orphan/);
    // With --delete it goes, within --max-delete (1 of 3 outputs is over the default 10%: refused).
    const refused = await cli([...base, '--exclude', '**/03 Damaged.flac', '--exclude', 'Live/**', '--delete']);
    expect(refused.stderr).toMatch(/max-delete/);
    expect(await listFiles(out)).toContain('mp3-v4/Live/01 Encore.mp3');
    const del = await cli([
      ...base,
      '--exclude',
      '**/03 Damaged.flac',
      '--exclude',
      'Live',
      '--delete',
      '--max-delete',
      '1',
    ]);
    expect(del.code).toBe(0);
    expect(await listFiles(out)).not.toContain('mp3-v4/Live/01 Encore.mp3');
    expect(await listFiles(out)).toContain('mp3-v4/Album/01 One.mp3');
  });

  it('comes from the config too, and flags add to it', async () => {
    const out = await tmp('everyday-exclude-cfg');
    const cfg = join(out, '..', `cfg-${Date.now()}.json`);
    await writeFile(cfg, JSON.stringify({ sources: [lib], output: out, presets: 'mp3-v4', exclude: ['Live/**'] }));
    const r = await cli(['--config', cfg, '--exclude', '**/*Damaged*', '--json']);
    expect(r.code).toBe(0);
    const files = await listFiles(out);
    expect(files).toContain('mp3-v4/Album/01 One.mp3');
    expect(files.some((f) => f.includes('Live'))).toBe(false);
  });
});

describe('--flat', () => {
  it('drops the <preset>/ level for one preset', async () => {
    const out = await tmp('everyday-flat');
    const r = await cli([join(lib, 'Album'), '-o', out, '-p', 'opus-64', '--flat', '--exclude', '*Damaged*']);
    expect(r.code).toBe(0);
    const files = (await listFiles(out)).filter((f) => !f.startsWith('audiofan-'));
    expect(files.sort()).toEqual(['01 One.opus', '02 Two.opus']);
    expect((await readBack(join(out, '01 One.opus'))).common.title).toBe('One');
    // A second run keeps them: the flat paths are recorded like any others.
    const again = await cli([
      join(lib, 'Album'),
      '-o',
      out,
      '-p',
      'opus-64',
      '--flat',
      '--exclude',
      '*Damaged*',
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/"action":"encode"/);
  });

  it('refuses presets whose outputs would collide, naming them; nothing is written', async () => {
    const out = await tmp('everyday-flat-clash');
    const r = await cli([lib, '-o', out, '-p', 'mp3-v0,mp3-320', '--flat', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--flat: presets mp3-v0, mp3-320 all make .mp3 files');
    expect(await listFiles(out)).toEqual([]);
  });
});

describe('--log-file', () => {
  it('appends NDJSON to the file, run after run, while the terminal output stays as it is', async () => {
    const out = await tmp('everyday-log');
    const log = join(out, '..', `everyday-${Date.now()}`, 'logs', 'audiofan.ndjson');
    const args = [join(lib, 'Album/01 One.flac'), '-o', out, '-p', 'mp3-v4', '--log-file', log];
    expect((await cli(args)).code).toBe(0);
    expect((await cli(args)).code).toBe(0);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'summary')).toHaveLength(2);
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'number')).toBe(true);
  });

  it('records a run that stops on a usage error too', async () => {
    const dir = await tmp('everyday-log-err');
    const log = join(dir, 'a.ndjson');
    const r = await cli([join(dir, 'missing'), '-o', dir, '--log-file', log]);
    expect(r.code).toBe(2);
    expect(readFileSync(log, 'utf8')).toMatch(/"code":"E_SOURCE_DIR_MISSING"/);
  });
});

describe('config holds every option; presets and doctor honour it', () => {
  const aac = {
    id: 'aac-test',
    description: 'AAC from the config',
    container: 'm4a',
    extension: 'm4a',
    encoder: 'aac',
    encoderArgs: ['-b:a', '128k'],
    sampleRates: [44100, 48000],
    maxChannels: 2,
  };

  it('sources, output, presets, delete, exclude come from the config; a flag overrides it', async () => {
    const out = await tmp('everyday-cfg');
    const cfg = join(out, '..', `cfg-all-${Date.now()}.json`);
    await writeFile(
      cfg,
      JSON.stringify({
        sources: [join(lib, 'Album')],
        output: out,
        presets: ['mp3-v4'],
        delete: true,
        maxDelete: 5,
        exclude: ['*Damaged*'],
      }),
    );
    expect((await cli(['--config', cfg])).code).toBe(0);
    expect(await listFiles(out)).toContain('mp3-v4/Album/01 One.mp3'.replace('Album/', ''));
    // -p on the command line wins over the config's presets; delete: true (from the config) removes the mp3s.
    const r = await cli(['--config', cfg, '-p', 'opus-64', '--json']);
    expect(r.code).toBe(0);
    const files = await listFiles(out);
    expect(files).toContain('opus-64/01 One.opus');
    expect(files.some((f) => f.startsWith('mp3-v4/'))).toBe(false);
  });

  it('`presets --config` lists definePresets and `doctor --config` checks them', async () => {
    const dir = await tmp('everyday-cfg-presets');
    const cfg = join(dir, 'c.json');
    await writeFile(cfg, JSON.stringify({ definePresets: [aac] }));
    const list = await cli(['presets', '--config', cfg]);
    expect(list.stdout).toMatch(/^aac-test\s+AAC from the config$/m);
    const doc = await cli(['doctor', '--config', cfg]);
    expect(doc.stdout).toMatch(/ok\s+encoder aac\s+aac-test/);
    const env = await cli(['presets'], { AUDIOFAN_CONFIG: cfg });
    expect(env.stdout).toMatch(/^aac-test/m);
  });

  it('the example config shipped in examples/ loads, and the README shows the same file', async () => {
    const example = readFileSync(join(repo, 'examples/audiofan.config.jsonc'), 'utf8');
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const block = /<!-- example-config: examples\/audiofan.config.jsonc -->\n```jsonc?\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(example);
    // Point its folders at real places, then ask for the plan: every key was accepted.
    const dir = await tmp('everyday-example');
    const { parseJsonc } = await import('../dist/src/cli/jsonc.js');
    const data = parseJsonc(example) as Record<string, unknown>;
    const cfg = join(dir, 'c.json');
    // Every config key is in the example (the table's keys, from the README's option table).
    const keys = [...readme.matchAll(/^\| (?:[^|\\]|\\.)*\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(15);
    expect(Object.keys(data).sort()).toEqual([...new Set(keys)].sort());
    const local = { sources: [join(lib, 'Album')], output: join(dir, 'out'), presetDirs: [], exclude: ['*Damaged*'] };
    await writeFile(cfg, JSON.stringify({ ...data, ...local, ffmpeg: ffmpeg(), logFile: join(dir, 'log.ndjson') }));
    const r = await cli(['--config', cfg, '--dry-run', '--json']);
    expect(r.stderr).not.toMatch(/E_CONFIG_INVALID|E_USAGE/);
    expect(r.code).toBe(0);
  });
});

describe('command line shape, help, completion, man page', () => {
  it('--presets-dir takes one folder and does not swallow the source', async () => {
    const dir = await tmp('everyday-pdir');
    await mkdir(join(dir, 'mypresets'));
    await writeFile(
      join(dir, 'mypresets/m.json'),
      JSON.stringify({
        ...{
          id: 'my-mp3',
          description: 'mine',
          container: 'mp3',
          extension: 'mp3',
          encoder: 'libmp3lame',
          encoderArgs: ['-q:a', '6'],
          sampleRates: [44100, 48000],
          maxChannels: 2,
        },
      }),
    );
    const out = join(dir, 'out');
    const r = await cli([
      '--presets-dir',
      join(dir, 'mypresets'),
      join(lib, 'Album/01 One.flac'),
      '-o',
      out,
      '--create',
      '-p',
      'my-mp3',
    ]);
    expect(r.stderr).not.toContain('no source folder given');
    expect(r.code).toBe(0);
    expect(await listFiles(out)).toContain('my-mp3/01 One.mp3');
  });

  it('--help shows the default presets, defaults and examples', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/-p, --presets <ids>[\s\S]*?\(default: mp3-v0,opus-128\)/);
    expect(r.stdout).toMatch(/--exclude <glob>/);
    expect(r.stdout).toMatch(/Examples:\n\s+audiofan ~\/Music -o ~\/Lossy/);
    expect(r.stdout).toContain('completion');
  });

  it('completion scripts name every flag; the bash one parses and completes', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await cli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const flag of ['--output', '--presets', '--exclude', '--flat', '--log-file', '--presets-dir'])
        expect(r.stdout).toContain(shell === 'fish' ? `-l ${flag.slice(2)}` : flag);
    }
    const bash = (await cli(['completion', 'bash'])).stdout;
    const out = execFileSync(
      'bash',
      ['-c', `${bash}\nCOMP_WORDS=(audiofan --exc); COMP_CWORD=1; _audiofan; echo "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('--exclude');
    const bad = await cli(['completion', 'tcsh', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr.split('\n')[0]).msg).toBe(
      'completion: no script for "tcsh"; choose one of bash, zsh, fish',
    );
  });

  it('the shipped man page is the one the option table makes, and package.json ships it', async () => {
    const { manPage } = await import('../dist/src/run/man-page.js');
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(readFileSync(join(repo, 'audiofan.1'), 'utf8')).toBe(manPage(pkg.version));
    expect(pkg.man).toBe('./audiofan.1');
    expect(pkg.files).toEqual(expect.arrayContaining(['audiofan.1', 'LICENSE']));
    expect(manPage(pkg.version)).toContain('.B \\-\\-exclude <glob>');
  });
});

describe('install facts', () => {
  it('the packed tarball, laid out as `npm install -g --prefix` does, gives `audiofan` on PATH and its man page', async () => {
    // A real `npm install -g --offline` cannot run here: the npm cache holds none of the dependencies (ENOTCACHED),
    // and the registry is not reachable. So the tarball is unpacked where npm puts a global package, its bin and
    // man page linked where npm links them (from package.json's bin and man), and its dependencies linked from
    // this repo's node_modules.
    const prefix = await tmp('global');
    const { stdout } = await execFileP('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', prefix], {
      cwd: repo,
    });
    const lib = join(prefix, 'lib/node_modules');
    await mkdir(lib, { recursive: true });
    await execFileP('tar', ['xzf', join(prefix, JSON.parse(stdout)[0].filename), '-C', lib]);
    await rename(join(lib, 'package'), join(lib, 'audiofan'));
    const pkg = JSON.parse(readFileSync(join(lib, 'audiofan/package.json'), 'utf8'));
    await symlink(join(repo, 'node_modules'), join(lib, 'audiofan/node_modules'));
    await mkdir(join(prefix, 'bin'));
    await symlink(join('../lib/node_modules/audiofan', pkg.bin.audiofan), join(prefix, 'bin/audiofan'));
    await mkdir(join(prefix, 'share/man/man1'), { recursive: true });
    await symlink(join(lib, 'audiofan', pkg.man), join(prefix, 'share/man/man1/audiofan.1'));
    for (const f of ['LICENSE', 'audiofan.1', 'README.md']) expect(existsSync(join(lib, 'audiofan', f))).toBe(true);
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = execFileSync('audiofan', ['--version'], { env, encoding: 'utf8' });
    expect(version.trim()).toBe(pkg.version);
    const which = execFileSync('sh', ['-c', 'command -v audiofan'], { env, encoding: 'utf8' });
    expect(which.trim()).toBe(join(prefix, 'bin/audiofan'));
  });

  it('LICENSE is MIT like package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(repo, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} audiofan contributors/,
    );
  });

  it('doctor states a fallback that worked as a fact, not a problem', async () => {
    const r = await cli(['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^found via: \S+ \(/m);
    expect(r.stdout).not.toMatch(/did not happen|Problems:/);
    if (/ffmpeg-static/.test(r.stdout))
      expect(r.stdout).toContain('binary not downloaded (its install script is off by design)');
    expect(r.stdout).toContain('Everything needed is present.');
  });

  it('CommonJS callers can load it with await import()', async () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(join(repo, 'dist/src/index.js'))}).then((m) => console.log(typeof m.convertLibrary))`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function');
  });
});
