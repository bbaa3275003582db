/**
 * The `serve` command as a user runs it: the URL printed, a non-loopback host refused without a token,
 * SIGTERM with an encode in flight (exit 0, no ffmpeg left, no temporaries), and `demo --serve`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, ffmpeg, ffmpegProcessesMentioning, tmp, track } from './helpers.js';
import { makeLongLibrary } from './serve-helpers.js';

/** Start the CLI; resolves with the URL it prints. */
function serveProcess(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, FFMPEG_PATH: ffmpeg(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(?:audiofan serve: )(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing a URL: ${out}`)));
  });
  return { child, url };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

describe('audiofan serve', () => {
  it('refuses a non-loopback host without a token (exit 2, naming the fix)', async () => {
    const dir = await tmp('serve-cli-host');
    const r = await cli(['serve', dir, '--cache', join(dir, 'c'), '--host', '0.0.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--token or AUDIOFAN_TOKEN');
  });

  it('SIGHUP rescans; SIGTERM with an encode in flight: exits 0, no ffmpeg outlives it, no temporaries left', async () => {
    const lib = await makeLongLibrary('serve-cli');
    const cache = join(lib.dir, 'cache');
    const { child, url } = serveProcess(['serve', lib.library, '--cache', cache, '--port', '0', '-j', '1']);
    const base = await url;
    const albums = (await (await fetch(`${base}/api/albums`)).json()) as { id: string; tracks: number }[];
    expect(albums[0].tracks).toBe(3);
    await track(join(lib.albums[0].folder, '04 Late.flac'), {
      seconds: 1,
      tags: { TITLE: 'Late', ALBUM: 'Long Album', ARTIST: 'Long Artist' },
    });
    child.kill('SIGHUP');
    const count = async () => ((await (await fetch(`${base}/api/albums`)).json()) as { tracks: number }[])[0].tracks;
    for (let i = 0; i < 200 && (await count()) !== 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(4);
    const album = (await (await fetch(`${base}/api/albums/${albums[0].id}`)).json()) as { tracks: { id: string }[] };
    const req = fetch(`${base}/tracks/${album.tracks[0].id}/flac-cd`).then(
      (r) => r.status,
      () => 'reset',
    );
    while ((await ffmpegProcessesMentioning(lib.dir)).length === 0) await new Promise((r) => setTimeout(r, 20));
    const code = exited(child);
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect([503, 'reset']).toContain(await req);
    expect(await ffmpegProcessesMentioning(lib.dir)).toEqual([]);
    expect((await readdir(cache, { recursive: true })).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('demo --serve makes the demo library and serves it, printing the URL', async () => {
    const dir = await tmp('serve-cli-demo');
    const { child, url } = serveProcess(['demo', join(dir, 'demo'), '--serve', '--port', '0']);
    try {
      const base = await url;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const albums = (await (await fetch(`${base}/api/albums`)).json()) as { title: string }[];
      expect(albums.map((a) => a.title)).toEqual(['First Light', 'Second Wind']);
    } finally {
      const code = exited(child);
      child.kill('SIGINT');
      expect(await code).toBe(0);
    }
  });
});
