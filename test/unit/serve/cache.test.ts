/**
 * The serve cache: least recently used evicted first at the bound, the entry just added kept, the index
 * surviving a restart, and files no index entry names (or changed behind its back) removed at start.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, OutputCache } from '../../../src/serve/cache.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const key = (n: number) => cacheKey(`identity-${n}`, 'preset-hash', 'ffmpeg-5.1');

async function put(cache: OutputCache, n: number, size = 100) {
  const k = key(n);
  await writeFile(cache.pathFor(k, 'mp3'), Buffer.alloc(size, n));
  await cache.add({ key: k, file: `${k}.mp3`, size, trackId: `t${n}`, preset: 'mp3-v0' });
  return k;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('OutputCache', () => {
  it('evicts the least recently used entries beyond the bound, never the one just added', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audiofan-unit-cache-'));
    const cache = new OutputCache(dir, 250, quiet);
    await cache.open();
    const [a, b] = [await put(cache, 1), await put(cache, 2)];
    await tick();
    expect(cache.get(a)).toBeDefined(); // a is now more recent than b
    await tick();
    const c = await put(cache, 3);
    expect([!!cache.peek(a), !!cache.peek(b), !!cache.peek(c)]).toEqual([true, false, true]);
    expect(cache.size).toBe(200);
    expect((await readdir(cache.filesDir)).sort()).toEqual([`${a}.mp3`, `${c}.mp3`].sort());
    const big = await put(cache, 4, 1000);
    expect(cache.count).toBe(1);
    expect(cache.peek(big)?.size).toBe(1000);
  });

  it('survives a restart; drops entries whose file changed and files no entry names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audiofan-unit-cache-'));
    const first = new OutputCache(dir, 10_000, quiet);
    await first.open();
    const [a, b] = [await put(first, 1), await put(first, 2)];
    await first.flush();
    await writeFile(first.pathFor(b, 'mp3'), 'changed behind its back');
    await writeFile(first.pathFor(key(9), 'mp3'), 'left by a crash before it was recorded');
    await writeFile(join(first.filesDir, 'notes.txt'), 'not ours: never deleted');
    const second = new OutputCache(dir, 10_000, quiet);
    await second.open();
    expect(second.get(a)?.size).toBe(100);
    expect(second.peek(b)).toBeUndefined();
    expect((await readdir(second.filesDir)).sort()).toEqual([`${a}.mp3`, 'notes.txt'].sort());
  });

  it('invalidating a track removes its outputs only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audiofan-unit-cache-'));
    const cache = new OutputCache(dir, 10_000, quiet);
    await cache.open();
    const [a, b] = [await put(cache, 1), await put(cache, 2)];
    expect(await cache.invalidateTrack('t1')).toBe(1);
    expect([!!cache.peek(a), !!cache.peek(b)]).toEqual([false, true]);
  });
});
