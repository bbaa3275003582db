/**
 * profile.ts: a worker's steps timed on its own thread's CPU clock when AUDIOFAN_PROFILE names a file (one JSON line
 * per job, with the bytes a step wrote), and nothing at all written or measured when it is unset.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'audiofan-profile-'));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** Keep this thread busy for `ms` of wall time (at least that much CPU, unless the machine takes the core away). */
function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

async function load(target: string | undefined) {
  vi.stubEnv('AUDIOFAN_PROFILE', target ?? '');
  return import('../../../src/transcode/profile.js');
}

describe('profile', () => {
  it('threadCpuSeconds counts this thread running, not waiting', async () => {
    const { threadCpuSeconds } = await load(undefined);
    const t0 = threadCpuSeconds();
    await new Promise((r) => setTimeout(r, 150));
    const idle = threadCpuSeconds() - t0;
    const t1 = threadCpuSeconds();
    burn(150);
    const busy = threadCpuSeconds() - t1;
    expect(idle).toBeLessThan(0.1);
    expect(busy).toBeGreaterThan(idle);
    expect(busy).toBeGreaterThan(0.03);
  });

  it('off: steps run and return their value, and no file is written', async () => {
    const file = join(dir, 'off.ndjson');
    const p = await load(undefined);
    p.profileJobStart();
    expect(await p.profiled('work', async () => 42)).toBe(42);
    p.profileJobEnd();
    expect(existsSync(file)).toBe(false);
  });

  it('on: one line per job with CPU by step (a failing step too) and the bytes a step wrote', async () => {
    const file = join(dir, 'on.ndjson');
    const written = join(dir, 'written.bin');
    const p = await load(file);
    for (let job = 0; job < 2; job++) {
      p.profileJobStart();
      await p.profiled('busy', async () => burn(120));
      await p.profiled(
        'write',
        async () => writeFileSync(written, Buffer.alloc(1000)),
        () => written,
      );
      await expect(
        p.profiled('fails', async () => {
          burn(30);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // A step whose file is not there (it failed before writing) counts no bytes.
      await p.profiled(
        'nothing',
        async () => {},
        () => join(dir, 'missing'),
      );
      p.profileJobEnd();
    }
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(Object.keys(l.steps).sort()).toEqual(['busy', 'fails', 'nothing', 'write']);
      expect(l.steps.busy).toBeGreaterThan(0.02);
      expect(l.steps.fails).toBeGreaterThan(0);
      expect(l.bytes).toEqual({ write: 1000 });
      const stepped = Object.values(l.steps as Record<string, number>).reduce((s, v) => s + v, 0);
      expect(l.job).toBeGreaterThanOrEqual(stepped);
      expect(l.threadCpu).toBeGreaterThanOrEqual(l.job);
      expect(typeof l.thread).toBe('number');
    }
    expect(lines[1].threadCpu).toBeGreaterThan(lines[0].threadCpu);
    rmSync(dir, { recursive: true, force: true });
  });
});
