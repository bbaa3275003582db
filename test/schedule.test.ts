/**
 * The tail split (transcode/schedule.ts): a long hi-res track run alone on two slots is cut into pieces, one
 * ffmpeg each, and what comes out is what one job would have made: the same outputs and audio, the same
 * manifest entries (loudness, album gain, bit-exact proof, tags hash), the same tags read back. Interrupted
 * while its pieces run, it stops like any job: no ffmpeg left, no temporaries, and the next run finishes it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type RunEvent } from '../dist/src/index.js';
import type { Manifest, ManifestOutput } from '../dist/src/model.js';
import { cover, ffmpegProcessesMentioning, listFiles, pcmMd5, readBack, tmp, track } from './helpers.js';

const PRESETS = ['flac', 'mp3-v0', 'opus-128'];
let lib: string;

beforeAll(async () => {
  lib = await tmp('sched-src');
  const art = await cover(join(lib, 'art.jpg'));
  // 40 s at 96 kHz/24-bit: well over the 1 s of estimated work below which a job is never split.
  await track(join(lib, 'Album', '01 Long.flac'), {
    seconds: 40,
    sampleRate: 96000,
    bits: 24,
    seed: 3,
    cover: art,
    tags: { TITLE: 'Long', ARTIST: 'Artist', ALBUM: 'Album', ALBUMARTIST: 'Artist', TRACKNUMBER: '1' },
  });
}, 120_000);

/** Convert the library with `jobs` slots; the manifest and, per progress report, the jobs running. */
async function convert(jobs: number) {
  const out = await tmp(`sched-out-${jobs}`);
  const run = convertLibrary({ sources: [lib], output: out, presets: PRESETS, jobs, create: true });
  const running: string[][] = [];
  run.on('event', (e: RunEvent) => {
    if (e.type === 'progress' && e.phase === 'encode') running.push(...e.active.map((a) => a.presets));
  });
  const result = await run;
  expect(result.exitCode).toBe(0);
  const manifest = JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8')) as Manifest;
  return { out, manifest, running, result };
}

/** What an output's manifest entry says about its audio and tags (not when or how long it took). */
const facts = ({ mtimeMs: _m, size: _s, elapsedMs: _e, ...o }: ManifestOutput) => o;

describe('tail split', () => {
  let whole: Awaited<ReturnType<typeof convert>>;
  let split: Awaited<ReturnType<typeof convert>>;
  beforeAll(async () => {
    whole = await convert(1);
    split = await convert(2);
  }, 180_000);

  it('one slot: one job making every output; two slots: pieces, each making some of them', () => {
    expect(whole.running.every((p) => p.length === 3)).toBe(true);
    expect(split.running.length).toBeGreaterThan(0);
    expect(
      split.running.every((p) => p.length < 3),
      JSON.stringify(split.running),
    ).toBe(true);
    expect(new Set(split.running.flat())).toEqual(new Set(PRESETS));
    expect(split.result.summary).toMatchObject({ outputsEncoded: 3, outputsFailed: 0 });
  });

  it('the same manifest: loudness, decoded length, and every output entry (bit-exact proof, gains, tags hash)', () => {
    const [a] = whole.manifest.sources;
    const [b] = split.manifest.sources;
    expect(b.loudness).toEqual(a.loudness);
    expect(b.loudness?.integratedLufs).toBeLessThan(0);
    expect(b.decodedDuration).toBe(a.decodedDuration);
    expect(b.outputs.map(facts)).toEqual(a.outputs.map(facts));
    const flac = b.outputs.find((o) => o.preset === 'flac')!;
    expect(flac.pcmMd5).toMatch(/^s24:[0-9a-f]{32}$/);
    expect(b.outputs.every((o) => o.status === 'ok' && o.action === 'encoded' && o.gains?.album)).toBe(true);
  });

  it('the same files: audio, tags and cover read back', async () => {
    const files = (await listFiles(whole.out)).filter((f) => !f.endsWith('.json'));
    expect(files).toHaveLength(3);
    expect((await listFiles(split.out)).filter((f) => !f.endsWith('.json'))).toEqual(files);
    for (const f of files) {
      const [a, b] = [join(whole.out, f), join(split.out, f)];
      expect(await pcmMd5(b), f).toBe(await pcmMd5(a));
      const [ma, mb] = [await readBack(a), await readBack(b)];
      expect(mb.native, f).toEqual(ma.native);
      expect(mb.common.picture?.length, f).toBe(1);
      const gain = Object.values(mb.native)
        .flat()
        .filter((t) => /REPLAYGAIN_(TRACK|ALBUM)_GAIN|R128_(TRACK|ALBUM)_GAIN/i.test(t.id));
      expect(gain.length, f).toBeGreaterThanOrEqual(2);
    }
    // The FLAC copy holds the master's samples exactly.
    expect(await pcmMd5(join(split.out, 'flac/Album/01 Long.flac'))).toBe(
      await pcmMd5(join(lib, 'Album/01 Long.flac')),
    );
  });
});

describe('a split job interrupted', () => {
  it('stops every piece: exit 130, no ffmpeg or temporary left, the next run makes what is missing', async () => {
    const out = await tmp('sched-cancel');
    const controller = new AbortController();
    const run = convertLibrary({ sources: [lib], output: out, presets: PRESETS, jobs: 2, signal: controller.signal });
    run.on('event', (e: RunEvent) => {
      // Both pieces running and some way in: stop.
      if (e.type === 'progress' && e.active.length === 2 && e.active.every((a) => a.seconds > 1)) controller.abort();
    });
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(await ffmpegProcessesMentioning(out)).toEqual([]);
    expect((await listFiles(out)).filter((f) => f.includes('.audiofan-') || f.endsWith('.partial'))).toEqual([]);
    const outputs = result.sources.flatMap((s) => s.outputs);
    expect(outputs).toHaveLength(3);
    expect(outputs.every((o) => o.status === 'ok' || o.code === 'E_CANCELLED')).toBe(true);
    const again = await convertLibrary({ sources: [lib], output: out, presets: PRESETS, jobs: 2 });
    expect(again.exitCode).toBe(0);
    expect(again.summary.outputsEncoded + again.summary.outputsKept).toBe(3);
    expect(again.sources[0].loudness?.integratedLufs).toBeLessThan(0);
  }, 120_000);
});
