/**
 * The library API: typed options checked at the boundary, events, async iteration, the result.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type RunEvent } from '../dist/src/index.js';
import { tmp, track } from './helpers.js';

let lib: string;
beforeAll(async () => {
  lib = await tmp('lib-src');
  for (let i = 1; i <= 3; i++) await track(join(lib, `${i}.flac`), { seconds: 6, seed: i });
});

describe('convertLibrary', () => {
  it.each([
    [{ sources: [], output: 'x' }, /option sources: give at least one source folder/],
    [{ sources: ['a'], output: '' }, /option output: give an output folder/],
    [{ sources: ['a'], output: 'x', jobs: 0 }, /option jobs: expected a whole number from 1 to 256, got 0/],
    [{ sources: ['a'], output: 'x', presets: [] }, /option presets: expected at least one id, got an empty list/],
    [{ sources: ['a'], output: 'x', signal: 'stop' }, /option signal: expected an AbortSignal/],
  ])('rejects bad options with E_USAGE naming the option (%#)', async (opts, msg) => {
    await expect(convertLibrary(opts as never)).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringMatching(msg),
    });
  });

  it('is an async iterable of events, an event emitter, and awaitable for the result', async () => {
    const out = await tmp('lib-out');
    const run = convertLibrary({ sources: [lib], output: out, presets: ['mp3-v4', 'opus-64'], jobs: 2 });
    const emitted: string[] = [];
    run.on('event', (e: RunEvent) => emitted.push(e.type));
    const iterated: RunEvent[] = [];
    for await (const ev of run) iterated.push(ev);
    const result = await run;
    expect(iterated.map((e) => e.type)).toEqual(emitted);
    expect(iterated[0]).toMatchObject({ type: 'start', presets: ['mp3-v4', 'opus-64'] });
    expect(iterated.find((e) => e.type === 'scanned')).toMatchObject({ files: 3, lossless: 3 });
    expect(iterated.find((e) => e.type === 'planned')).toMatchObject({ jobs: 3, encode: 6, keep: 0 });
    expect(iterated.filter((e) => e.type === 'output')).toHaveLength(6);
    const progress = iterated.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ outputsDone: 6, outputsTotal: 6, audioSecondsTotal: 18 });
    expect(last.audioSecondsDone).toBeCloseTo(18, 0);
    expect(last.speed).toBeGreaterThan(1);
    expect(iterated.at(-1)).toMatchObject({ type: 'done', exitCode: 0 });
    expect(result.summary).toMatchObject({ outputsEncoded: 6, lossless: 3 });
    // An iterator started after the run ended still replays every event.
    const late: string[] = [];
    for await (const ev of run) late.push(ev.type);
    expect(late).toEqual(emitted);
  });

  it('a configuration error reaches an iterating caller too', async () => {
    const run = convertLibrary({ sources: [lib], output: await tmp('lib-out'), presets: ['nope'] });
    await expect(
      (async () => {
        for await (const _ of run) {
          /* drain */
        }
      })(),
    ).rejects.toMatchObject({ code: 'E_PRESET_UNKNOWN' });
  });
});
