/**
 * Stopping a run: AbortSignal, SIGINT to the CLI, and SIGKILL of the whole process tree.
 * Whatever stops it, no incomplete file is at a final path and no ffmpeg outlives it.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { bin, ffmpegProcessesMentioning, listFiles, readBack, tmp, track } from './helpers.js';

const SECONDS = 40;
const PRESETS = ['flac', 'mp3-v0', 'opus-128'];
let lib: string;

beforeAll(async () => {
  lib = await tmp('cancel-src');
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      track(join(lib, `album/${String(i + 1).padStart(2, '0')} track.flac`), { seconds: SECONDS, seed: i }),
    ),
  );
});

/** Every audio file at a final path is complete; returns how many there are. */
async function assertFinalOutputsComplete(out: string): Promise<number> {
  const finals = (await listFiles(out)).filter((f) => /\.(flac|mp3|opus)$/.test(f) && !f.includes('/.audiofan-'));
  for (const f of finals) {
    const m = await readBack(join(out, f));
    expect(m.format.duration, f).toBeGreaterThan(SECONDS - 0.05);
  }
  return finals.length;
}

const noPartials = async (out: string) =>
  expect((await listFiles(out)).filter((f) => f.endsWith('.partial'))).toEqual([]);

/** Wait for the first NDJSON line on stderr that logs a finished output. */
function firstOutputLine(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    child.stderr!.on('data', (d) => {
      buf += d;
      if (buf.includes('"event":"output"')) resolve();
    });
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}

describe('cancellation', () => {
  it('AbortSignal: running ffmpeg is stopped, temporaries removed, the manifest records what finished', async () => {
    const out = await tmp('cancel-out');
    const controller = new AbortController();
    const run = convertLibrary({ sources: [lib], output: out, presets: PRESETS, jobs: 2, signal: controller.signal });
    run.once('output', () => controller.abort());
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.interrupted).toBe(true);
    expect(await ffmpegProcessesMentioning(out)).toEqual([]);
    await noPartials(out);
    const outputs = result.sources.flatMap((s) => s.outputs);
    const done = outputs.filter((o) => o.status === 'ok');
    const cancelled = outputs.filter((o) => o.code === 'E_CANCELLED');
    expect(done.length).toBeGreaterThan(0);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(done.length + cancelled.length).toBe(outputs.length);
    expect(await assertFinalOutputsComplete(out)).toBe(done.length);
    const manifest = JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
    expect(manifest.interrupted).toBe(true);
    // The next run does only what is missing.
    const again = await convertLibrary({ sources: [lib], output: out, presets: PRESETS });
    expect(again.summary.outputsKept).toBe(done.length);
    expect(again.summary.outputsEncoded).toBe(outputs.length - done.length);
    expect(again.exitCode).toBe(0);
  });

  it('SIGINT to the CLI: exit 130, no ffmpeg left, no temporaries, finished outputs complete', async () => {
    const out = await tmp('sigint-out');
    const child = spawn(process.execPath, [bin, lib, '-o', out, '-p', PRESETS.join(','), '-j', '2', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const end = exited(child);
    await firstOutputLine(child);
    child.kill('SIGINT');
    const { code } = await end;
    expect(code).toBe(130);
    expect(await ffmpegProcessesMentioning(out)).toEqual([]);
    await noPartials(out);
    expect(await assertFinalOutputsComplete(out)).toBeGreaterThan(0);
    const manifest = JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
    expect(manifest.interrupted).toBe(true);
  });

  it('SIGKILL of the whole process tree: nothing incomplete at a final path; the next run sweeps and finishes', async () => {
    const out = await tmp('sigkill-out');
    const args = [bin, lib, '-o', out, '-p', PRESETS.join(','), '-j', '2', '--json'];
    // detached: its own process group, so the kill reaches node, its worker threads and every ffmpeg.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const end = exited(child);
    await firstOutputLine(child);
    // Kill while an encode is surely in flight: once the next ffmpeg has opened its temporary
    // (a fixed delay raced a loaded machine, where ffmpeg can take longer than that to start).
    for (let i = 0; i < 100 && !(await listFiles(out)).some((f) => f.endsWith('.partial')); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await end;
    await new Promise((r) => setTimeout(r, 200));
    expect(await ffmpegProcessesMentioning(out)).toEqual([]);
    const before = await listFiles(out);
    expect(
      before.some((f) => f.endsWith('.partial')),
      'a killed encode leaves only a hidden temporary',
    ).toBe(true);
    expect(await assertFinalOutputsComplete(out)).toBeGreaterThan(0);

    const rerun = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    rerun.stderr!.on('data', (d) => (log += d));
    expect((await exited(rerun)).code).toBe(0);
    expect(log).toMatch(/"event":"sweep"/);
    await noPartials(out);
    expect(await assertFinalOutputsComplete(out)).toBe(6 * PRESETS.length);
  });
});
