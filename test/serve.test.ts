/**
 * `audiofan serve` over real HTTP on loopback, with real ffmpeg on tiny generated tracks: misses and hits,
 * coalescing, ranges, ETags, album zips, a master edited between requests, seeds, auth, path traversal,
 * a full queue, a client that disconnects mid-encode, and shutdown with encodes in flight.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBuffer } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, createServer } from '../dist/src/index.js';
import { cover, ffmpeg, ffmpegProcessesMentioning, pcmMd5, tmp, track } from './helpers.js';
import {
  getWithHost,
  makeLibrary,
  makeLongLibrary,
  readZip,
  start,
  type Running,
  type TestLibrary,
} from './serve-helpers.js';

const partials = async (dir: string) => (await readdir(dir, { recursive: true })).filter((f) => f.includes('.partial'));

let lib: TestLibrary;
let s: Running;
let ids: Awaited<ReturnType<Running['ids']>>;
let cacheDir: string;

beforeAll(async () => {
  lib = await makeLibrary('serve');
  cacheDir = join(lib.dir, 'cache');
  s = await start({ sources: [lib.library], cache: cacheDir });
  ids = await s.ids();
});
afterAll(async () => {
  await s?.server.close();
});

describe('API', () => {
  it('lists both albums with artist, year and cover, and tracks with duration and master format', async () => {
    const albums = (await (await s.get('/api/albums')).json()) as Record<string, unknown>[];
    expect(albums.map((a) => [a.title, a.artist, a.year, a.tracks])).toEqual([
      ['Album One', 'First Artist', '2024', 2],
      ['Album "Two"', 'Second Artist', '2024', 3],
    ]);
    for (const a of albums) {
      expect(a.id).toMatch(/^[0-9a-f]{20}$/);
      const img = await s.get(a.cover as string);
      expect(img.headers.get('content-type')).toBe('image/jpeg');
      expect((await img.arrayBuffer()).byteLength).toBeGreaterThan(500);
    }
    const two = (await (await s.get(`/api/albums/${ids.albums.get('Album "Two"')}`)).json()) as {
      tracks: { title: string; duration: number; format: string; sizes: Record<string, { bytes: number }> }[];
    };
    expect(two.tracks.map((t) => [t.title, t.format])).toEqual([
      ['Alpha', 'FLAC 16/44.1'],
      ['-dash', 'FLAC 24/96'],
      ["It's", 'FLAC 16/44.1'],
    ]);
    expect(two.tracks[0].duration).toBeCloseTo(2, 1);
    // 96 kbit/s for 2 s is 24 kB, estimated before anything is encoded.
    expect(two.tracks[0].sizes['opus-96'].bytes).toBe(24000);
    const presets = (await (await s.get('/api/presets')).json()) as { id: string }[];
    expect(presets.map((p) => p.id)).toContain('opus-96');
    const t = (await (await s.get(`/api/tracks/${ids.tracks.get('One')}`)).json()) as { title: string; album: string };
    expect([t.title, t.album]).toEqual(['One', 'Album One']);
  });

  it('unknown ids are 404, unknown presets 400 listing the valid ones', async () => {
    for (const path of ['/api/albums/0123456789abcdef0123', '/api/tracks/nope', '/tracks/0123456789abcdef0123/mp3-v0'])
      expect((await s.get(path)).status, path).toBe(404);
    const r = await s.get(`/tracks/${ids.tracks.get('One')}/mp3-999`);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: string; message: string; presets: string[] };
    expect(body.error).toBe('E_PRESET_UNKNOWN');
    expect(body.presets).toContain('mp3-v0');
    expect(body.message).toContain('opus-96');
    expect((await s.get(`/albums/${ids.albums.get('Album One')}/nope.zip`)).status).toBe(400);
  });
});

describe('downloads', () => {
  it('a miss encodes (tags, cover, loudness), the hit is served from the cache without ffmpeg', async () => {
    const before = s.server.stats().encodesStarted;
    const r1 = await s.get(`/tracks/${ids.tracks.get('Café')}/opus-96`);
    expect(r1.status).toBe(200);
    expect(r1.headers.get('content-type')).toBe('audio/ogg; codecs=opus');
    expect(r1.headers.get('content-disposition')).toBe(
      `attachment; filename="First Artist - Cafe.opus"; filename*=UTF-8''First%20Artist%20-%20Caf%C3%A9.opus`,
    );
    const b1 = Buffer.from(await r1.arrayBuffer());
    expect(Number(r1.headers.get('content-length'))).toBe(b1.length);
    expect(s.server.stats().encodesStarted).toBe(before + 1);
    const meta = await parseBuffer(b1, { mimeType: 'audio/ogg' }, { duration: true });
    expect(meta.format.codec).toBe('Opus');
    expect(meta.format.duration).toBeCloseTo(2, 1);
    expect(meta.common.title).toBe('Café');
    expect(meta.common.album).toBe('Album One');
    expect(meta.common.picture?.[0]?.format).toBe('image/jpeg');
    expect(meta.native.vorbis.some((t) => t.id === 'R128_TRACK_GAIN')).toBe(true);

    const r2 = await s.get(`/tracks/${ids.tracks.get('Café')}/opus-96`);
    expect(Buffer.from(await r2.arrayBuffer()).equals(b1)).toBe(true);
    expect(r2.headers.get('etag')).toBe(r1.headers.get('etag'));
    expect(s.server.stats().encodesStarted).toBe(before + 1);
  });

  it('20 concurrent requests for one track and preset share one encode', async () => {
    const before = s.server.stats().encodesStarted;
    const path = `/tracks/${ids.tracks.get('Alpha')}/mp3-v0`;
    const bodies = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const r = await s.get(path);
        expect(r.status).toBe(200);
        return Buffer.from(await r.arrayBuffer());
      }),
    );
    expect(s.server.stats().encodesStarted).toBe(before + 1);
    expect(new Set(bodies.map((b) => b.toString('base64'))).size).toBe(1);
    const meta = await parseBuffer(bodies[0], { mimeType: 'audio/mpeg' });
    expect(meta.common.title).toBe('Alpha');
  });

  it('Range requests on a cached file: 206 with the bytes asked, suffix ranges, 416 past the end', async () => {
    const path = `/tracks/${ids.tracks.get('Alpha')}/mp3-v0`;
    const whole = Buffer.from(await (await s.get(path)).arrayBuffer());
    const r = await s.get(path, { headers: { Range: 'bytes=100-199' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(r.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await r.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true);
    const tail = await s.get(path, { headers: { Range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(-10))).toBe(true);
    const open = await s.get(path, { headers: { Range: `bytes=${whole.length - 5}-` } });
    expect((await open.arrayBuffer()).byteLength).toBe(5);
    const past = await s.get(path, { headers: { Range: `bytes=${whole.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('If-None-Match with the ETag answers 304 with no body', async () => {
    const path = `/tracks/${ids.tracks.get('Alpha')}/mp3-v0`;
    const etag = (await s.get(path)).headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const r = await s.get(path, { headers: { 'If-None-Match': etag } });
    expect(r.status).toBe(304);
    expect((await r.arrayBuffer()).byteLength).toBe(0);
    expect((await s.get(path, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
    // A client holding an output that has since left the cache needs no encode to hear it is current.
    const before = s.server.stats().encodesStarted;
    const other = `/tracks/${ids.tracks.get('One')}/opus-128`;
    const tag = (await s.get(other)).headers.get('etag')!;
    expect(s.server.stats().encodesStarted).toBe(before + 1);
    await rm(join(cacheDir, 'files', `${JSON.parse(tag)}.opus`));
    const again = await s.get(other, { headers: { 'If-None-Match': tag } });
    expect([again.status, s.server.stats().encodesStarted]).toEqual([304, before + 1]);
  });

  it('an album zip holds every track (decodable, tagged) and the cover', async () => {
    const r = await s.get(`/albums/${ids.albums.get('Album "Two"')}/flac-cd.zip`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toContain('Second Artist - Album _Two_ (flac-cd).zip');
    const entries = readZip(Buffer.from(await r.arrayBuffer()));
    expect(entries.map((e) => e.name)).toEqual(['cover.jpg', '01 Alpha.flac', '02 -dash.flac', "03 It's.flac"]);
    const dir = await tmp('zip');
    for (const [i, e] of entries.slice(1).entries()) {
      const meta = await parseBuffer(e.data!, { mimeType: 'audio/flac' }, { duration: true });
      expect(meta.common.title).toBe(['Alpha', '-dash', "It's"][i]);
      expect(meta.common.album).toBe('Album "Two"');
      expect([meta.format.sampleRate, meta.format.bitsPerSample]).toEqual([44100, 16]);
      // Decodes to the end: a bit-exact copy of the 16/44.1 masters' audio.
      await writeFile(join(dir, `${i}.flac`), e.data!);
      const md5 = await pcmMd5(join(dir, `${i}.flac`));
      if (i !== 1) expect(md5).toBe(await pcmMd5(lib.albums[1].tracks[i]));
    }
    expect(entries[0].data!.subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('the cache stays within --cache-max: the least recently used output is evicted, and encoded again when asked', async () => {
    const e = await start({ sources: [lib.library], cache: join(lib.dir, 'cache-evict'), cacheMax: 1 });
    try {
      const { tracks } = await e.ids();
      const [a, b] = [`/tracks/${tracks.get('One')}/opus-64`, `/tracks/${tracks.get('Alpha')}/opus-64`];
      expect((await e.get(a)).status).toBe(200);
      expect((await e.get(a)).status).toBe(200);
      expect(e.server.stats()).toMatchObject({ encodesStarted: 1, cacheFiles: 1 });
      expect((await e.get(b)).status).toBe(200);
      // Only the newest fits: One's output went to make room for Alpha's.
      expect(e.server.stats()).toMatchObject({ encodesStarted: 2, cacheFiles: 1 });
      expect(await readdir(join(lib.dir, 'cache-evict', 'files'))).toHaveLength(1);
      expect((await e.get(a)).status).toBe(200);
      expect(e.server.stats().encodesStarted).toBe(3);
    } finally {
      await e.server.close();
    }
  });

  it('the cache survives a restart: a new server answers from it without encoding', async () => {
    const dir = join(lib.dir, 'cache-restart');
    const first = await start({ sources: [lib.library], cache: dir });
    const { tracks } = await first.ids();
    const body = Buffer.from(await (await first.get(`/tracks/${tracks.get('One')}/mp3-128`)).arrayBuffer());
    await first.server.close();
    const second = await start({ sources: [lib.library], cache: dir });
    try {
      const again = Buffer.from(await (await second.get(`/tracks/${tracks.get('One')}/mp3-128`)).arrayBuffer());
      expect(again.equals(body)).toBe(true);
      expect(second.server.stats().encodesStarted).toBe(0);
    } finally {
      await second.server.close();
    }
  });

  it('a master edited between two requests is encoded again; its old cached output is removed', async () => {
    const path = `/tracks/${ids.tracks.get("It's")}/opus-64`;
    const r1 = await s.get(path);
    const first = Buffer.from(await r1.arrayBuffer());
    const oldFile = join(cacheDir, 'files', `${JSON.parse(r1.headers.get('etag')!)}.opus`);
    expect(existsSync(oldFile)).toBe(true);
    const before = s.server.stats().encodesStarted;
    await track(lib.albums[1].tracks[2], {
      seconds: 3,
      seed: 9,
      tags: {
        TITLE: "It's",
        ARTIST: 'Second Artist',
        ALBUMARTIST: 'Second Artist',
        ALBUM: 'Album "Two"',
        TRACKNUMBER: '3',
      },
    });
    const second = await s.get(path);
    const b2 = Buffer.from(await second.arrayBuffer());
    expect(s.server.stats().encodesStarted).toBe(before + 1);
    expect(b2.equals(first)).toBe(false);
    expect((await parseBuffer(b2, { mimeType: 'audio/ogg' }, { duration: true })).format.duration).toBeCloseTo(3, 1);
    // The old master's output went; the new one is cached under its own key.
    expect(existsSync(oldFile)).toBe(false);
    expect(existsSync(join(cacheDir, 'files', `${JSON.parse(second.headers.get('etag')!)}.opus`))).toBe(true);
  });

  it('path traversal in every parameter is 404 or 400, never a file', async () => {
    const id = ids.tracks.get('One')!;
    const album = ids.albums.get('Album One')!;
    const attempts = [
      '/tracks/..%2F..%2F..%2Fetc%2Fpasswd/mp3-v0',
      `/tracks/${id}/..%2F..%2F..%2Fetc%2Fpasswd`,
      `/tracks/${id}/%2e%2e`,
      '/albums/..%2F..%2Fetc/mp3-v0.zip',
      `/albums/${album}/..%2F..%2Fetc%2Fpasswd.zip`,
      '/covers/..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/albums/..%2F..%2Fetc%2Fpasswd',
      '/api/tracks/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/../../../../etc/passwd',
      '/style.css/..%2F..%2F..%2Fetc%2Fpasswd',
      `/tracks/${id}/mp3-v0/..%2F..%2F..%2Fetc%2Fpasswd`,
    ];
    for (const path of attempts) {
      const r = await s.get(path);
      const body = await r.text();
      expect([400, 404], `${path}: ${r.status}`).toContain(r.status);
      expect(body).not.toContain('root:');
    }
  });

  it('rescans: POST /api/rescan needs JSON (no cross-site form); a new track appears', async () => {
    expect((await s.get('/api/rescan', { method: 'POST' })).status).toBe(415);
    await track(join(lib.albums[0].folder, '03 Three.flac'), {
      seconds: 1,
      seed: 7,
      tags: {
        TITLE: 'Three',
        ARTIST: 'First Artist',
        ALBUMARTIST: 'First Artist',
        ALBUM: 'Album One',
        TRACKNUMBER: '3',
      },
    });
    const r = await s.get('/api/rescan', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { tracks: number }).tracks).toBe(6);
  });
});

describe('a master that cannot be encoded', () => {
  it('answers 500 naming why, is not tried again, and the album zip lists it in NOT INCLUDED.txt', async () => {
    const dir = await tmp('serve-bad');
    const album = join(dir, 'lib', 'Artist', 'Album');
    const tags = (n: number, title: string) => ({
      TITLE: title,
      ARTIST: 'Artist',
      ALBUM: 'Album',
      TRACKNUMBER: String(n),
    });
    await track(join(album, '01 Good.flac'), { seconds: 2, seed: 1, tags: tags(1, 'Good') });
    const bad = await track(join(album, '02 Cut.flac'), { seconds: 6, seed: 2, tags: tags(2, 'Cut') });
    await truncate(bad, Math.floor((await stat(bad)).size * 0.4));
    const b = await start({ sources: [join(dir, 'lib')], cache: join(dir, 'cache') });
    try {
      const { tracks, albums } = await b.ids();
      const r = await b.get(`/tracks/${tracks.get('Cut')}/mp3-128`);
      expect(r.status).toBe(500);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe('E_SOURCE_TRUNCATED');
      expect(body.message).toContain('02 Cut.flac');
      const zip = await b.get(`/albums/${albums.get('Album')}/mp3-128.zip`);
      const entries = readZip(Buffer.from(await zip.arrayBuffer()));
      expect(entries.map((e) => e.name)).toEqual(['01 Good.mp3', 'NOT INCLUDED.txt']);
      expect(entries[1].data!.toString()).toContain('02 Cut.mp3: ');
      // The failure is remembered for this master: the zip did not encode it again.
      expect(b.server.stats().encodesStarted).toBe(2);
    } finally {
      await b.server.close();
    }
  });
});

describe('seeds', () => {
  it('outputs of a batch run whose manifest matches are served as they are, without encoding', async () => {
    const out = join(lib.dir, 'batch');
    const run = await convertLibrary({
      sources: [lib.library],
      output: out,
      presets: ['mp3-v2'],
      create: true,
      ffmpegPath: ffmpeg(),
    });
    expect(run.exitCode).toBe(0);
    const seeded = await start({ sources: [lib.library], cache: join(lib.dir, 'cache-seeded'), seed: [out] });
    try {
      const { tracks } = await seeded.ids();
      const r = await seeded.get(`/tracks/${tracks.get('One')}/mp3-v2`);
      expect(r.status).toBe(200);
      const body = Buffer.from(await r.arrayBuffer());
      expect(body.equals(await readFile(join(out, 'mp3-v2', 'First Artist', 'Album One', '01 One.mp3')))).toBe(true);
      expect(seeded.server.stats().encodesStarted).toBe(0);
    } finally {
      await seeded.server.close();
    }
  });
});

describe('security', () => {
  it('without a token only loopback is allowed, and only loopback Host headers are answered', async () => {
    await expect(createServer({ sources: [lib.library], cache: join(lib.dir, 'c2'), host: '0.0.0.0' })).rejects.toThrow(
      /needs an access token/,
    );
    expect(await getWithHost(`${s.url}/api/albums`, 'evil.example')).toBe(403);
    expect(await getWithHost(`${s.url}/api/albums`, new URL(s.url).host)).toBe(200);
  });

  it('with a token: 401 without it, Bearer works, the login page sets a cookie that works', async () => {
    const token = 'correct horse battery staple';
    const t = await start({ sources: [lib.library], cache: join(lib.dir, 'cache-auth'), token });
    try {
      expect((await t.get('/api/albums')).status).toBe(401);
      expect((await t.get('/', { headers: { accept: 'text/html' }, redirect: 'manual' })).headers.get('location')).toBe(
        '/login',
      );
      expect((await t.get('/api/albums', { headers: { Authorization: 'Bearer wrong-token' } })).status).toBe(401);
      expect((await t.get('/api/albums', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await t.get('/login')).status).toBe(200);
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const bad = await t.get('/login', { method: 'POST', headers: form, body: 'token=nope', redirect: 'manual' });
      expect([bad.status, bad.headers.get('location'), bad.headers.get('set-cookie')]).toEqual([
        303,
        '/login?failed=1',
        null,
      ]);
      const ok = await t.get('/login', {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual',
      });
      const cookie = ok.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const r = await t.get('/api/albums', { headers: { cookie: cookie.split(';')[0] } });
      expect(r.status).toBe(200);
      expect(
        (await t.get('/api/rescan', { method: 'POST', headers: { 'content-type': 'application/json' } })).status,
      ).toBe(401);
    } finally {
      await t.server.close();
    }
  });
});

describe('links out of the source folders', () => {
  it('a linked master or folder image that leads outside is never served', async () => {
    const dir = await tmp('serve-links');
    const album = join(dir, 'lib', 'Artist', 'Album');
    const tags = (title: string) => ({ TITLE: title, ARTIST: 'Artist', ALBUM: 'Album' });
    await track(join(album, '01 Real.flac'), { seconds: 1, seed: 1, tags: tags('Real') });
    await track(join(dir, 'outside', 'secret.flac'), { seconds: 1, seed: 2, tags: tags('Secret') });
    await cover(join(dir, 'outside', 'secret.jpg'), 100);
    await symlink(join(dir, 'outside', 'secret.flac'), join(album, '02 Link.flac'));
    await symlink(join(dir, 'outside', 'secret.jpg'), join(album, 'cover.jpg'));
    const l = await start({ sources: [join(dir, 'lib')], cache: join(dir, 'cache') });
    try {
      const albums = (await (await l.get('/api/albums')).json()) as { id: string; tracks: number; cover: null }[];
      expect(albums.map((a) => [a.tracks, a.cover])).toEqual([[1, null]]);
      expect((await l.get(`/covers/${albums[0].id}`)).status).toBe(404);
      const full = (await (await l.get(`/api/albums/${albums[0].id}`)).json()) as { tracks: { title: string }[] };
      expect(full.tracks.map((t) => t.title)).toEqual(['Real']);
    } finally {
      await l.server.close();
    }
  });
});

describe('limits', () => {
  let long: TestLibrary;
  beforeAll(async () => {
    long = await makeLongLibrary('serve-long');
  });

  it('a full queue answers 503 with Retry-After', async () => {
    const q = await start({ sources: [long.library], cache: join(long.dir, 'cache-q'), jobs: 1, queueMax: 0 });
    try {
      const { tracks } = await q.ids();
      const ctl = new AbortController();
      const first = q.get(`/tracks/${tracks.get('Long One')}/flac-cd`, { signal: ctl.signal }).catch(() => undefined);
      while (q.server.stats().running === 0) await new Promise((r) => setTimeout(r, 20));
      const r = await q.get(`/tracks/${tracks.get('Long Two')}/flac-cd`);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      ctl.abort();
      await first;
    } finally {
      await q.server.close();
    }
  });

  it('a client that disconnects mid-encode cancels it: ffmpeg stopped, no temporaries, nothing cached', async () => {
    const cache = join(long.dir, 'cache-dc');
    const d = await start({ sources: [long.library], cache });
    try {
      const { tracks } = await d.ids();
      const ctl = new AbortController();
      const req = d.get(`/tracks/${tracks.get('Long Three')}/flac-cd`, { signal: ctl.signal }).catch((e) => e);
      while ((await ffmpegProcessesMentioning(long.dir)).length === 0) await new Promise((r) => setTimeout(r, 20));
      ctl.abort();
      expect(await req).toBeInstanceOf(Error);
      for (let i = 0; i < 100 && d.server.stats().running > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(d.server.stats().running).toBe(0);
      expect(await ffmpegProcessesMentioning(long.dir)).toEqual([]);
      expect(await partials(cache)).toEqual([]);
      expect(d.server.stats().cacheFiles).toBe(0);
    } finally {
      await d.server.close();
    }
  });

  it('shutdown with encodes in flight: requests end, no ffmpeg outlives it, no temporaries left', async () => {
    const cache = join(long.dir, 'cache-sd');
    const d = await start({ sources: [long.library], cache });
    const { tracks } = await d.ids();
    const reqs = ['Long One', 'Long Two', 'Long Three'].map((t) =>
      d.get(`/tracks/${tracks.get(t)}/flac-cd`).then(
        (r) => r.status,
        () => 'reset',
      ),
    );
    while (d.server.stats().running < 2) await new Promise((r) => setTimeout(r, 20));
    await d.server.close();
    for (const r of await Promise.all(reqs)) expect([503, 'reset']).toContain(r);
    expect(await ffmpegProcessesMentioning(long.dir)).toEqual([]);
    expect(await partials(cache)).toEqual([]);
  });
});
