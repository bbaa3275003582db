/**
 * npm run bench -- --serve [--requests 2000] [--concurrency 32] [--jobs N]
 *
 * `audiofan serve` under load on the demo library, loopback only, a bounded number of requests:
 *   1. time to first byte of a miss (each demo track encoded on request, opus-128, a fresh cache);
 *   2. requests per second for cached files (--requests downloads, --concurrency at once, bodies read whole);
 *   3. album zips of cached tracks, streamed;
 *   4. the server's peak RSS (VmHWM of the server process, worker threads included; ffmpeg children not).
 * The server runs as the CLI does (`audiofan serve`), in its own process, so the load generator's memory
 * does not count.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { locateFfmpeg, makeDemoLibrary } from '../dist/src/index.js';

const here = new URL('.', import.meta.url).pathname;
const { values: a } = parseArgs({
  strict: false,
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    jobs: { type: 'string', default: String(availableParallelism()) },
  },
});
const ffmpeg = locateFfmpeg().path;
const demo = await makeDemoLibrary(join(here, '.work', 'serve-demo'), ffmpeg);
const cache = await mkdtemp(join(tmpdir(), 'audiofan-bench-serve-'));

const child = spawn(
  process.execPath,
  [join(here, '..', 'bin', 'audiofan.js'), 'serve', demo.library, '--cache', cache, '--port', '0', '-j', a.jobs],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    const m = /audiofan serve: (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`audiofan serve exited (${code}) before listening`)));
});
const peakRssMB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
const json = async (p) => (await fetch(url + p)).json();

try {
  const albums = await json('/api/albums');
  const full = await Promise.all(albums.map((x) => json(`/api/albums/${x.id}`)));
  const tracks = full.flatMap((x) => x.tracks);
  const rssIdle = peakRssMB();

  // 1. Misses, one after another: each is an encode of a 12 s track; the headers come once the file is ready.
  const ttfb = [];
  const good = [];
  for (const t of tracks) {
    const t0 = performance.now();
    const r = await fetch(`${url}/tracks/${t.id}/opus-128`);
    ttfb.push(performance.now() - t0);
    await r.arrayBuffer();
    if (r.ok) good.push(t);
  }
  ttfb.sort((x, y) => x - y);

  // 2. Cached files under load.
  const total = Number(a.requests);
  let next = 0;
  let bytes = 0;
  let errors = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < total) {
      const t = good[next++ % good.length];
      const r = await fetch(`${url}/tracks/${t.id}/opus-128`);
      if (r.status !== 200) errors++;
      bytes += (await r.arrayBuffer()).byteLength;
    }
  };
  await Promise.all(Array.from({ length: Number(a.concurrency) }, lane));
  const secs = (performance.now() - t0) / 1000;

  // 3. Album zips (the tracks that could be made are cached now; the corrupt demo track is named, not zipped).
  const z0 = performance.now();
  let zipBytes = 0;
  for (const x of albums)
    zipBytes += (await (await fetch(`${url}/albums/${x.id}/opus-128.zip`)).arrayBuffer()).byteLength;
  const zipMs = performance.now() - z0;

  console.log(`audiofan serve on the demo library (${tracks.length} tracks of 12 s), -j ${a.jobs}, ${url}`);
  console.log(
    `  miss, time to first byte (encode opus-128): median ${ttfb[Math.floor(ttfb.length / 2)].toFixed(0)} ms, max ${ttfb.at(-1).toFixed(0)} ms (${tracks.length} requests, ${tracks.length - good.length} failed as expected: the demo's truncated FLAC)`,
  );
  console.log(
    `  cached files: ${(total / secs).toFixed(0)} req/s, ${(bytes / secs / 1e6).toFixed(0)} MB/s (${total} requests, ${a.concurrency} at once, ${errors} not 200)`,
  );
  console.log(
    `  album zips of cached tracks: ${albums.length} in ${zipMs.toFixed(0)} ms (${(zipBytes / 1e6).toFixed(1)} MB)`,
  );
  console.log(
    `  load average during the run: ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores (figures scale with it)`,
  );
  console.log(`  server peak RSS: ${peakRssMB().toFixed(0)} MB (after start: ${rssIdle.toFixed(0)} MB)`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await rm(cache, { recursive: true, force: true });
}
