/**
 * One run spread over worker processes through BullMQ on a real Redis (a private redis-server per test file):
 * the same outputs as a local run; a worker SIGKILLed mid-job; the coordinator SIGKILLed and re-run; cancellation;
 * a worker that cannot see the sources; a worker whose ffmpeg lacks an encoder; Redis restarted mid-run.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type Manifest } from '../dist/src/index.js';
import { bin, cover, ffmpeg, listFiles, pcmMd5, readBack, tmp, track } from './helpers.js';
import { noRedis, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from './queue-helpers.js';

const PRESETS = ['flac', 'mp3-v0', 'opus-128'];
let lib: string;
let redis: TestRedis;
const workers: WorkerProcess[] = [];

const audio = (files: string[]) => files.filter((f) => /\.(flac|mp3|opus)$/.test(f));
const leftovers = async (out: string) =>
  (await listFiles(out)).filter((f) => f.endsWith('.partial') || f.includes('.audiofan-'));
const manifestOf = async (out: string) =>
  JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8')) as Manifest;
/** Every key Redis holds (our queues and registry), for "nothing left behind". */
const redisKeys = async () => (await redis.client().keys('*')).sort();

/** Start `n` workers and wait until each has joined a run... or at least is listening. */
async function workersUp(n: number, env: NodeJS.ProcessEnv[] = [], args: string[][] = []): Promise<WorkerProcess[]> {
  const ws = Array.from({ length: n }, (_, i) =>
    startWorkerProcess(redis.url, ['-j', '2', ...(args[i] ?? [])], { AUDIOFAN_WORKER_NAME: `w${i + 1}`, ...env[i] }),
  );
  workers.push(...ws);
  await Promise.all(ws.map((w) => w.waitFor(/waiting for runs/)));
  return ws;
}

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
}

describe.skipIf(noRedis)(`queue (${noRedis ?? 'redis-server'})`, () => {
  beforeAll(async () => {
    redis = await startRedis();
    lib = await tmp('queue-src');
    const art = await cover(join(lib, 'cover.png'));
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        track(join(lib, `album/${String(i + 1).padStart(2, '0')} song.flac`), {
          seconds: 20,
          seed: i,
          tags: { title: `Song ${i + 1}`, artist: 'Queue Artist', album: 'Queued', track: `${i + 1}/4` },
          cover: art,
        }),
      ),
    );
  });
  afterAll(async () => {
    await stopWorkers();
    await redis?.stop();
  });

  it('coordinator + 2 worker processes make the same outputs as a local run; nothing is left in Redis', async () => {
    const local = await tmp('queue-local');
    const spread = await tmp('queue-spread');
    await convertLibrary({ sources: [lib], output: local, presets: PRESETS, jobs: 2 });
    await workersUp(2);
    const times: number[] = [];
    const run = convertLibrary({ sources: [lib], output: spread, presets: PRESETS, queue: { connection: redis.url } });
    run.on('progress', (p) => {
      if (p.outputsDone === 0 && p.audioSecondsDone > 0) times.push(p.audioSecondsDone);
    });
    const result = await run;
    expect(result.exitCode).toBe(0);
    const files = audio(await listFiles(local));
    expect(audio(await listFiles(spread))).toEqual(files);
    expect(files).toHaveLength(12);
    for (const f of files) {
      // Opus through soxr is not bit-reproducible even between two local runs (libsoxr's threads): length and tags.
      if (!f.endsWith('.opus')) expect(await pcmMd5(join(spread, f)), f).toBe(await pcmMd5(join(local, f)));
      const [a, b] = [await readBack(join(local, f)), await readBack(join(spread, f))];
      expect(b.format.duration, f).toBe(a.format.duration);
      expect(b.common.title, f).toBe(a.common.title);
      expect(b.native, f).toEqual(a.native);
    }
    const m = await manifestOf(spread);
    const outs = m.sources.flatMap((s) => s.outputs);
    expect(new Set(outs.map((o) => o.host))).toEqual(new Set(['w1', 'w2']));
    expect(outs.every((o) => /\d/.test(o.ffmpegVersion))).toBe(true);
    expect(JSON.stringify(m)).not.toContain('redis://');
    expect(times.length).toBeGreaterThan(0);
    expect(await leftovers(spread)).toEqual([]);
    expect(await redisKeys()).toEqual([]);
  });
});
