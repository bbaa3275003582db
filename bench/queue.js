/**
 * npm run bench -- --queue: the same corpus through the local pool (-j N) and through the queue: one coordinator and
 * two `audiofan worker` processes (-j N/2 each, so the same ffmpeg processes at once) on this machine, with a private
 * redis-server. Prints both wall times (medians) and the queue's overhead in percent (target <= 5 %).
 * Workers are started before the timed run, as they would be running already on real machines.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const bin = join(here, '..', 'bin', 'audiofan.js');
const REDIS = '/usr/bin/redis-server';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function once(args) {
  return new Promise((resolve, reject) => {
    let out = '';
    const c = spawn(process.execPath, [join(here, 'audiofan-once.js'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`audiofan exited ${code}`))));
  });
}

function worker(url, jobs, name) {
  const c = spawn(process.execPath, [bin, 'worker', '--queue', url, '-j', String(jobs), '--json'], {
    env: { ...process.env, AUDIOFAN_WORKER_NAME: name },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const up = new Promise((resolve, reject) => {
    c.stderr.on('data', (d) => {
      err += d;
      if (err.includes('waiting for runs')) resolve();
    });
    c.on('close', () => reject(new Error(`worker ${name} exited: ${err}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      c.removeAllListeners('close');
      c.on('close', resolve);
      c.kill('SIGTERM');
    });
  return { up, stop };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchQueue({ corpus, presets, jobs, rounds, work }) {
  if (!existsSync(REDIS)) throw new Error(`${REDIS} is not installed (apt-get install -y redis-server)`);
  const port = await freePort();
  const redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 500));
  const url = `redis://127.0.0.1:${port}/0`;
  const per = Math.max(1, Math.floor(jobs / 2));
  const out = join(work, 'out-queue');
  const L = [];
  const Q = [];
  try {
    console.log(
      `\nqueue: local pool -j ${jobs} against 1 coordinator + 2 workers -j ${per} (redis-server on :${port})`,
    );
    for (let r = 1; r <= rounds; r++) {
      await rm(out, { recursive: true, force: true });
      const local = await once([corpus, out, presets, String(jobs), 'on']);
      if (local.exitCode !== 0) throw new Error(`local run failed: ${JSON.stringify(local.summary)}`);
      L.push(local.wallSeconds);
      await rm(out, { recursive: true, force: true });
      const ws = [worker(url, per, 'bench-w1'), worker(url, per, 'bench-w2')];
      await Promise.all(ws.map((w) => w.up));
      const queued = await once([corpus, out, presets, String(jobs), 'on', url]);
      await Promise.all(ws.map((w) => w.stop()));
      if (queued.exitCode !== 0) throw new Error(`queue run failed: ${JSON.stringify(queued.summary)}`);
      Q.push(queued.wallSeconds);
      console.log(`  round ${r}: local ${L.at(-1).toFixed(2)} s, queue ${Q.at(-1).toFixed(2)} s`);
    }
  } finally {
    redis.kill('SIGTERM');
  }
  const [l, q] = [median(L), median(Q)];
  const overhead = ((q - l) / l) * 100;
  console.log(`  local pool:           ${l.toFixed(2)} s wall, median of ${L.length}`);
  console.log(`  queue (2 workers):    ${q.toFixed(2)} s wall, median of ${Q.length}`);
  console.log(`\nqueue overhead: ${overhead.toFixed(1)} %  (target <= 5 %: ${overhead <= 5 ? 'met' : 'NOT met'})`);
}
