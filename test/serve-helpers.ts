/**
 * Helpers for the serve tests: a small library of tiny tagged tracks, a server on a free loopback port,
 * and a zip reader written from the format (central directory + stored entries), independent of yazl.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { createServer, type AudiofanServer, type ServeOptions } from '../dist/src/index.js';
import { cover, execFileP, ffmpeg, tmp, track } from './helpers.js';

export interface TestLibrary {
  dir: string;
  library: string;
  albums: { folder: string; tracks: string[] }[];
}

/** Two albums (2 and 3 tracks, a few seconds each), tagged, one with a folder cover, one with embedded art. */
export async function makeLibrary(prefix: string, seconds = 2): Promise<TestLibrary> {
  const dir = await tmp(prefix);
  const library = join(dir, 'lib');
  const a1 = join(library, 'First Artist', 'Album One');
  const a2 = join(library, 'Second Artist', 'Album "Two"');
  await mkdir(a1, { recursive: true });
  await mkdir(a2, { recursive: true });
  await cover(join(a1, 'cover.jpg'), 200);
  const art2 = await cover(join(dir, 'art2.jpg'), 180);
  const tags = (artist: string, album: string, n: number, title: string) => ({
    TITLE: title,
    ARTIST: artist,
    ALBUMARTIST: artist,
    ALBUM: album,
    DATE: '2024',
    TRACKNUMBER: String(n),
  });
  const t1 = [join(a1, '01 One.flac'), join(a1, '02 Café.flac')];
  const t2 = [join(a2, '01 Alpha.flac'), join(a2, '02 -dash.flac'), join(a2, "03 It's.flac")];
  await Promise.all([
    track(t1[0], { seconds, seed: 1, tags: tags('First Artist', 'Album One', 1, 'One') }),
    track(t1[1], { seconds, seed: 2, tags: tags('First Artist', 'Album One', 2, 'Café') }),
    track(t2[0], { seconds, seed: 3, tags: tags('Second Artist', 'Album "Two"', 1, 'Alpha'), cover: art2 }),
    track(t2[1], {
      seconds,
      seed: 4,
      sampleRate: 96000,
      bits: 24,
      tags: tags('Second Artist', 'Album "Two"', 2, '-dash'),
    }),
    track(t2[2], { seconds, seed: 5, tags: tags('Second Artist', 'Album "Two"', 3, "It's"), cover: art2 }),
  ]);
  await writeFile(join(library, 'notes.txt'), 'not audio');
  return {
    dir,
    library,
    albums: [
      { folder: a1, tracks: t1 },
      { folder: a2, tracks: t2 },
    ],
  };
}

export interface Running {
  server: AudiofanServer;
  url: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  /** Track and album ids by title. */
  ids(): Promise<{ albums: Map<string, string>; tracks: Map<string, string> }>;
}

export async function start(options: Partial<ServeOptions> & { sources: string[]; cache: string }): Promise<Running> {
  const server = await createServer({ port: 0, jobs: 2, ffmpegPath: ffmpeg(), ...options });
  const url = await server.listen();
  const get = (path: string, init?: RequestInit) => fetch(url + path, init);
  return {
    server,
    url,
    get,
    async ids() {
      const albums = new Map<string, string>();
      const tracks = new Map<string, string>();
      for (const a of (await (await get('/api/albums')).json()) as { id: string; title: string }[]) {
        albums.set(a.title, a.id);
        const full = (await (await get(`/api/albums/${a.id}`)).json()) as { tracks: { id: string; title: string }[] };
        for (const t of full.tracks) tracks.set(t.title, t.id);
      }
      return { albums, tracks };
    },
  };
}

/** Entries of a zip (stored or not; only stored entries get their data). */
export function readZip(b: Buffer): { name: string; data?: Buffer; method: number }[] {
  let eocd = b.length - 22;
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = b.readUInt16LE(p + 10);
    const size = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.toString('utf8', p + 46, p + 46 + nameLen);
    const dataAt = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    out.push({ name, method, ...(method === 0 ? { data: b.subarray(dataAt, dataAt + size) } : {}) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Long tracks (a 96 kHz/24-bit sine, quick to make, slow to resample) whose encodes last long enough to interrupt. */
export async function makeLongLibrary(prefix: string, seconds = 300): Promise<TestLibrary> {
  const dir = await tmp(prefix);
  const library = join(dir, 'lib');
  const folder = join(library, 'Long Artist', 'Long Album');
  await mkdir(folder, { recursive: true });
  const titles = ['Long One', 'Long Two', 'Long Three'];
  const tracks = titles.map((t, i) => join(folder, `0${i + 1} ${t}.flac`));
  for (const [i, path] of tracks.entries()) {
    const args = [
      '-nostdin',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${330 + 110 * i}:sample_rate=96000:duration=${seconds}`,
    ];
    const tags = [
      '-metadata',
      `TITLE=${titles[i]}`,
      '-metadata',
      'ARTIST=Long Artist',
      '-metadata',
      'ALBUM=Long Album',
    ];
    await execFileP(ffmpeg(), [
      ...args,
      ...tags,
      '-ac',
      '2',
      '-c:a',
      'flac',
      '-compression_level',
      '0',
      '-sample_fmt',
      's32',
      '-bits_per_raw_sample',
      '24',
      `file:${path}`,
    ]);
  }
  return { dir, library, albums: [{ folder, tracks }] };
}

/** A GET with a Host header of our choosing (fetch does not let one set it). */
export function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
