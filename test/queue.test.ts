/**
 * One run spread over worker processes through BullMQ on a real Redis (a private redis-server per test file):
 * the same outputs as a local run; a worker SIGKILLed mid-job; the coordinator SIGKILLed and re-run; cancellation;
 * a worker that cannot see the sources; a worker whose ffmpeg lacks an encoder; Redis restarted mid-run.
 */
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type Manifest } from '../dist/src/index.js';
import { bin, cover, ffmpeg, ffmpegProcessesMentioning, listFiles, pcmMd5, readBack, tmp, track } from './helpers.js';
import { noRedis, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from './queue-helpers.js';

const PRESETS = ['flac', 'mp3-v0', 'opus-128'];
const SECONDS = 8;
const LONG_SECONDS = 40;
/** Every test's Redis wants a password: credentials come from the URL, and must never be shown. */
const PASSWORD = 'pa55-w0rd';
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
  const ws = workers.splice(0);
  await Promise.all(ws.map((w) => w.stop()));
  for (const w of ws) expect(w.stderr()).not.toContain(PASSWORD);
}

/** The coordinator as a CLI process with NDJSON logs; resolves its exit once it ends. */
function coordinator(out: string, extra: string[] = []) {
  const child = spawn(
    process.execPath,
    [bin, lib, '-o', out, '-p', PRESETS.join(','), '--queue', redis.url, '--json', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const lines: ((s: string) => void)[] = [];
  child.stderr!.on('data', (d) => {
    err += d;
    for (const f of lines) f(err);
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const firstOutput = new Promise<void>((resolve) => lines.push((e) => e.includes('"event":"output"') && resolve()));
  return { child, exit, firstOutput, stderr: () => err };
}

/** The NDJSON lines of a log with `"event":"<event>"`. */
const events = (log: string, event: string) =>
  log
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Every output made, once each, complete; nothing half-made left; Redis holds nothing. */
async function assertComplete(out: string): Promise<Manifest> {
  const m = await manifestOf(out);
  const outs = m.sources.flatMap((s) => s.outputs);
  expect(outs.map((o) => o.status)).toEqual(Array(12).fill('ok'));
  expect(new Set(outs.map((o) => o.path)).size).toBe(12);
  const files = audio(await listFiles(out));
  expect(files).toHaveLength(12);
  for (const f of files) expect((await readBack(join(out, f))).format.duration, f).toBeGreaterThan(SECONDS - 0.05);
  expect(await leftovers(out)).toEqual([]);
  expect(await redisKeys()).toEqual([]);
  return m;
}

/** No ffmpeg whose command line names `dir` is running (waits a little for them to go). */
async function noFfmpegFor(dir: string): Promise<void> {
  for (let i = 0; i < 50 && (await ffmpegProcessesMentioning(dir)).length; i++) await sleep(100);
  expect(await ffmpegProcessesMentioning(dir)).toEqual([]);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(noRedis)(`queue (${noRedis ?? 'redis-server'})`, () => {
  beforeAll(async () => {
    redis = await startRedis(undefined, PASSWORD);
    lib = await tmp('queue-src');
    const art = await cover(join(lib, 'cover.png'));
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        track(join(lib, `album/${String(i + 1).padStart(2, '0')} song.flac`), {
          // The first is long enough that its ffmpeg reports its media time while it runs (its periodic stats come
          // every 0.5 s), so live progress from a worker is seen before any output is done; the rest are short.
          seconds: i === 0 ? LONG_SECONDS : SECONDS,
          seed: i,
          tags: { title: `Song ${i + 1}`, artist: 'Queue Artist', album: 'Queued', track: `${i + 1}/4` },
          cover: art,
        }),
      ),
    );
  });
  afterEach(stopWorkers);
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
      // Live progress from a worker: a job still running, part-way through its audio (the long first track).
      for (const a of p.active) if (a.seconds >= 1) times.push(a.seconds);
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
    // Which worker took which job is a race (each takes up to twice its -j): every output names one of the two.
    for (const o of outs) expect(['w1', 'w2']).toContain(o.host);
    expect(outs.every((o) => /\d/.test(o.ffmpegVersion))).toBe(true);
    expect(JSON.stringify(m)).not.toContain('redis://');
    expect(times.length).toBeGreaterThan(0);
    expect(await leftovers(spread)).toEqual([]);
    expect(await redisKeys()).toEqual([]);
  });

  it('a worker SIGKILLed mid-job: its job goes to the other worker, its temporaries are swept, each output made once', async () => {
    const out = await tmp('queue-kill-worker');
    const [w1] = await workersUp(2);
    const run = convertLibrary({ sources: [lib], output: out, presets: PRESETS, queue: { connection: redis.url } });
    const made: string[] = [];
    run.on('output', (e) => made.push(e.output.path));
    await w1.waitFor(/"event":"job"/);
    w1.child.kill('SIGKILL');
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(made.sort()).toEqual([...new Set(made)].sort());
    const m = await assertComplete(out);
    expect(new Set(m.sources.flatMap((s) => s.outputs).map((o) => o.host))).toContain('w2');
    await noFfmpegFor(out);
  });

  it('the coordinator SIGKILLed: a re-run keeps what was journaled, clears the dead run from Redis, finishes', async () => {
    const out = await tmp('queue-kill-coord');
    await workersUp(2);
    const first = coordinator(out);
    await first.firstOutput;
    first.child.kill('SIGKILL');
    await first.exit;
    const published = events(first.stderr(), 'output').map((e) => e.path as string);
    expect(published.length).toBeGreaterThan(0);
    const again = coordinator(out);
    const { code } = await again.exit;
    expect(first.stderr() + again.stderr()).not.toContain(PASSWORD);
    expect(code, again.stderr()).toBe(0);
    expect(again.stderr()).toMatch(/recovered \d+ finished output/);
    const redone = events(again.stderr(), 'output')
      .filter((e) => e.action === 'encoded')
      .map((e) => e.path);
    for (const p of published) expect(redone).not.toContain(p);
    await assertComplete(out);
    await noFfmpegFor(out);
  });

  it('SIGINT of the coordinator reaches every worker: ffmpeg killed, temporaries removed, nothing left in Redis', async () => {
    const out = await tmp('queue-cancel');
    // One ffmpeg each: half the jobs are still waiting on a worker when the cancel comes, however fast the rest.
    const [w1, w2] = await workersUp(
      2,
      [],
      [
        ['-j', '1'],
        ['-j', '1'],
      ],
    );
    const c = coordinator(out);
    await Promise.all([w1.waitFor(/"event":"job"/), w2.waitFor(/"event":"job"/)]);
    c.child.kill('SIGINT');
    const { code } = await c.exit;
    expect(code, c.stderr()).toBe(130);
    await noFfmpegFor(out);
    expect(await leftovers(out)).toEqual([]);
    expect(await redisKeys()).toEqual([]);
    const outs = (await manifestOf(out)).sources.flatMap((s) => s.outputs);
    expect(outs.some((o) => o.code === 'E_CANCELLED')).toBe(true);
    for (const o of outs.filter((x) => x.status === 'ok'))
      expect((await readBack(join(out, o.path))).format.duration).toBeGreaterThan(SECONDS - 0.05);
  });

  it('a worker that cannot see the sources says so and takes no job; the run goes on with the other', async () => {
    const out = await tmp('queue-blind');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_o: object, m?: string) => warnings.push(m ?? '') };
    const [blind] = await workersUp(2, [], [['--map', `${lib}=/nonexistent/music`]]);
    const result = await convertLibrary({
      sources: [lib],
      output: out,
      presets: PRESETS,
      queue: { connection: redis.url, pollMs: 200 },
      logger,
    });
    expect(result.exitCode).toBe(0);
    expect(blind.stderr()).toContain(
      `cannot read the source folder /nonexistent/music (the coordinator's ${lib}): ENOENT`,
    );
    expect(blind.stderr()).not.toContain('"event":"job"');
    expect(warnings.join('\n')).toMatch(/worker w1 will not take this run's jobs: cannot read the source folder/);
    const m = await assertComplete(out);
    expect(new Set(m.sources.flatMap((s) => s.outputs).map((o) => o.host))).toEqual(new Set(['w2']));
  });

  it("a worker whose ffmpeg lacks an encoder refuses the run's jobs, naming it; the other worker makes them", async () => {
    const out = await tmp('queue-no-opus');
    const dir = await tmp('queue-fake-ffmpeg');
    const fake = join(dir, 'ffmpeg');
    // The real ffmpeg, except that -encoders does not list libopus.
    await writeFile(
      fake,
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = -encoders ] && { "${ffmpeg()}" "$@" | grep -v libopus; exit 0; }; done\n` +
        `exec "${ffmpeg()}" "$@"\n`,
    );
    await chmod(fake, 0o755);
    const [lacking] = await workersUp(2, [{ FFMPEG_PATH: fake }]);
    const result = await convertLibrary({
      sources: [lib],
      output: out,
      presets: PRESETS,
      queue: { connection: redis.url },
    });
    expect(result.exitCode).toBe(0);
    expect(lacking.stderr()).toMatch(
      /not taking jobs of the run writing to .*: its ffmpeg .* lacks encoder libopus \(needed by opus-128\)/,
    );
    const m = await assertComplete(out);
    expect(new Set(m.sources.flatMap((s) => s.outputs).map((o) => o.host))).toEqual(new Set(['w2']));
  });

  /** Start a run on a fresh Redis (persisting to `dataDir`, or not at all), restart Redis once the first output
   *  is in, and check the run still ends with every output made exactly once. */
  async function restartMidRun(dataDir: string | undefined, downMs: number, name: string): Promise<void> {
    await redis.stop();
    redis = await startRedis(dataDir, PASSWORD);
    const out = await tmp(name);
    await workersUp(2);
    const run = convertLibrary({
      sources: [lib],
      output: out,
      presets: PRESETS,
      queue: { connection: redis.url, pollMs: 500 },
    });
    const made: string[] = [];
    run.on('output', (e) => made.push(e.output.path));
    await new Promise<void>((resolve) => run.once('output', () => resolve()));
    await redis.restart(downMs);
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(made.sort()).toEqual([...new Set(made)].sort());
    await assertComplete(out);
  }

  it('Redis restarted mid-run: the run waits, resumes and finishes with every output made once', async () => {
    await restartMidRun(await tmp('queue-redis-data'), 1500, 'queue-redis-restart');
  });

  it('Redis out of reach: every job fails saying so (without the password), and the run ends', async () => {
    const out = await tmp('queue-unreachable');
    const logged: string[] = [];
    const log = (o: object, m?: string) => logged.push(`${m} ${JSON.stringify(o)}`);
    // A Redis started and stopped: its port is one nothing listens on now.
    const r = await startRedis(undefined, PASSWORD);
    await r.stop();
    const result = await convertLibrary({
      sources: [lib],
      output: out,
      presets: PRESETS,
      queue: { connection: r.url, connectTimeoutMs: 1500 },
      logger: { debug: log, info: log, warn: log, error: log },
    });
    expect(result.exitCode).toBe(1);
    const outs = (await manifestOf(out)).sources.flatMap((s) => s.outputs);
    expect(outs.map((o) => o.status)).toEqual(Array(12).fill('failed'));
    expect(outs[0].message).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${r.port}/0 within 1.5 s`);
    expect(logged.join('\n') + JSON.stringify(outs)).not.toContain(PASSWORD);
    expect(await leftovers(out)).toEqual([]);
  });

  it('a worker stopped with SIGTERM hands its running jobs back; another worker makes them', async () => {
    const out = await tmp('queue-term');
    const [w1] = await workersUp(1);
    const run = convertLibrary({ sources: [lib], output: out, presets: PRESETS, queue: { connection: redis.url } });
    await w1.waitFor(/"event":"job"/);
    await w1.stop();
    expect(w1.stderr()).toContain('SIGTERM: stopping; running jobs go back to the queue');
    await workersUp(1, [{ AUDIOFAN_WORKER_NAME: 'w2' }]);
    const result = await run;
    expect(result.exitCode).toBe(0);
    await assertComplete(out);
  });

  it('Redis restarted without persistence mid-run: lost jobs are queued again; the run finishes, nothing made twice', async () => {
    await restartMidRun(undefined, 500, 'queue-redis-amnesia');
  });
});
