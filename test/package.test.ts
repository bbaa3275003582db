/**
 * The package as others get it: the built entry point imported with no side effects, and an
 * installed copy (from `npm pack`) whose worker and bin resolve from node_modules.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repo, tmp, track } from './helpers.js';

const exec = promisify(execFile);

describe('package', () => {
  it('importing it has no side effects: no output, listeners, handles or threads', async () => {
    const probe = `
      const events = ['SIGINT', 'SIGTERM', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'];
      const snap = () => ({ listeners: events.map((e) => process.listenerCount(e)), resources: process.getActiveResourcesInfo().sort() });
      const before = snap();
      const m = await import(${JSON.stringify(join(repo, 'dist/src/index.js'))});
      await new Promise((r) => setTimeout(r, 100));
      const after = snap();
      // Dependencies (debug via music-metadata, pino, piscina) read process.stderr's TTY-ness at import,
      // which creates Node's lazy stdio handle; that writes nothing and holds nothing open, so it is not counted.
      const ours = (list) => list.filter((r) => !['Timeout', 'PipeWrap', 'TTYWrap', 'FSReqCallback'].includes(r));
      after.resources = ours(after.resources);
      before.resources = ours(before.resources);
      process.stdout.write(JSON.stringify({ before, after, exports: Object.keys(m).sort() }));`;
    const { stdout, stderr } = await exec(process.execPath, ['--input-type=module', '-e', probe]);
    expect(stderr).toBe('');
    const r = JSON.parse(stdout);
    expect(r.after).toEqual(r.before);
    expect(r.after.resources.filter((x: string) => /Worker|MessagePort|Process/.test(x))).toEqual([]);
    expect(r.exports).toEqual(
      expect.arrayContaining([
        'convertLibrary',
        'loadPresets',
        'locateFfmpeg',
        'doctor',
        'AudiofanError',
        'ErrorCodes',
        'createServer',
      ]),
    );
  });

  it('an installed copy (npm pack) imports by name, finds its worker, presets and schemas, and runs its bin', async () => {
    const dir = await tmp('installed');
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: repo,
    });
    const tarball = join(dir, JSON.parse(stdout)[0].filename);
    const nm = join(dir, 'app', 'node_modules');
    await mkdir(nm, { recursive: true });
    await exec('tar', ['xzf', tarball, '-C', nm]);
    await rename(join(nm, 'package'), join(nm, 'audiofan'));
    // Its dependencies are linked from this repo's node_modules: npm itself is not what is tested.
    for (const name of await readdir(join(repo, 'node_modules'))) {
      if (name !== '.bin' && name !== 'audiofan' && !name.startsWith('.'))
        await symlink(join(repo, 'node_modules', name), join(nm, name));
    }
    expect(existsSync(join(nm, 'audiofan', 'dist', 'workers', 'transcode.js'))).toBe(true);
    expect(existsSync(join(nm, 'audiofan', 'dist', 'src', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(nm, 'audiofan', 'test'))).toBe(false);
    // The serve page is plain files the build copies beside its module.
    expect(existsSync(join(nm, 'audiofan', 'dist', 'src', 'serve', 'page', 'index.html'))).toBe(true);
    const src = await tmp('installed-src');
    await track(join(src, 'a.flac'), { seconds: 2 });
    await writeFile(
      join(dir, 'app', 'use.mjs'),
      `
      import { convertLibrary } from 'audiofan';
      import schema from 'audiofan/manifest.schema.json' with { type: 'json' };
      const r = await convertLibrary({ sources: [${JSON.stringify(src)}], output: ${JSON.stringify(join(dir, 'out'))}, presets: ['opus-64', 'flac-cd'], create: true });
      console.log(JSON.stringify({ exitCode: r.exitCode, encoded: r.summary.outputsEncoded, schema: schema.title }));`,
    );
    const run = await exec(process.execPath, ['--no-warnings', 'use.mjs'], { cwd: join(dir, 'app') });
    expect(JSON.parse(run.stdout)).toEqual({ exitCode: 0, encoded: 2, schema: 'audiofan manifest, version 1' });
    const v = await exec(process.execPath, [join(nm, 'audiofan', 'bin', 'audiofan.js'), '--version'], {
      cwd: join(dir, 'app'),
    });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
