/**
 * The output matrix: every built-in preset applied to sources of every kind, on every ffmpeg on
 * this machine; each output read back with music-metadata and checked the same way.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, loadPresets, type RunResult } from '../dist/src/index.js';
import { chooseSampleRate } from '../dist/src/plan/recipe.js';
import { cover, ffmpegBinaries, listFiles, pcmMd5, readBack, repo, tmp, track } from './helpers.js';

const ALL = [...loadPresets().values()];
const SECONDS = 4;

interface Fixture {
  rel: string;
  rate: number;
  bits: number;
  channels: number;
  cover: boolean;
  tags: Record<string, string>;
}

const album = (n: number, title: string) => ({
  TITLE: title,
  ARTIST: 'Fixture Artist',
  ALBUM: 'Fixture Album',
  ALBUMARTIST: 'Fixture Album Artist',
  TRACKNUMBER: String(n),
  TRACKTOTAL: '7',
  DISCNUMBER: '1',
  DISCTOTAL: '2',
  DATE: '2021-06-01',
  GENRE: 'Test Genre',
});

const FIXTURES: (Fixture & { spec: Parameters<typeof track>[1] })[] = [
  {
    rel: 'Album/01 Sixteen.flac',
    rate: 44100,
    bits: 16,
    channels: 2,
    cover: true,
    tags: album(1, 'Sixteen'),
    spec: { seconds: SECONDS, seed: 1 },
  },
  {
    rel: 'Album/02 Hi-Res 96-24.flac',
    rate: 96000,
    bits: 24,
    channels: 2,
    cover: true,
    tags: album(2, 'Hi-Res'),
    spec: { seconds: SECONDS, seed: 2, sampleRate: 96000, bits: 24 },
  },
  {
    rel: 'Album/03 Noise 48k.wav',
    rate: 48000,
    bits: 24,
    channels: 2,
    cover: false,
    tags: { title: 'Noise' },
    spec: { seconds: SECONDS, kind: 'noise', sampleRate: 48000, bits: 24, codec: 'pcm_s24le' },
  },
  {
    rel: 'Album/04 Sine.aiff',
    rate: 44100,
    bits: 16,
    channels: 2,
    cover: false,
    tags: { title: 'Sine' },
    spec: { seconds: SECONDS, kind: 'sine', codec: 'pcm_s16be' },
  },
  {
    rel: 'Album/05 Alac.m4a',
    rate: 44100,
    bits: 16,
    channels: 2,
    cover: false,
    tags: { title: 'Alac', artist: 'Fixture Artist' },
    spec: { seconds: SECONDS, seed: 5, codec: 'alac' },
  },
  {
    rel: 'Album/06 WavPack.wv',
    rate: 44100,
    bits: 16,
    channels: 2,
    cover: false,
    tags: { title: 'WavPack' },
    spec: { seconds: SECONDS, seed: 6, codec: 'wavpack' },
  },
  {
    rel: 'Surround/07 Five One.flac',
    rate: 48000,
    bits: 16,
    channels: 6,
    cover: false,
    tags: album(7, 'Five One'),
    spec: { seconds: SECONDS, seed: 7, sampleRate: 48000, channels: 6 },
  },
];

const CODEC: Record<string, string> = { flac: 'FLAC', mp3: 'MPEG 1 Layer 3', opus: 'Opus' };

let library: string;
let coverBytes: Buffer;

beforeAll(async () => {
  library = await tmp('matrix-src');
  const art = await cover(join(await tmp('art'), 'front.jpg'), 320);
  coverBytes = await readFile(art);
  for (const f of FIXTURES) {
    await track(join(library, f.rel), { ...f.spec, tags: f.tags, cover: f.cover ? art : undefined });
  }
});

describe.each(ffmpegBinaries())('every preset, every source kind, on $label', ({ path: ffmpegPath }) => {
  let out: string;
  let result: RunResult;

  beforeAll(async () => {
    out = await tmp('matrix-out');
    result = await convertLibrary({ sources: [library], output: out, presets: ALL.map((p) => p.id), ffmpegPath });
  });

  it('converts everything and reports success', () => {
    const failed = result.sources.flatMap((s) =>
      s.outputs.filter((o) => o.status !== 'ok').map((o) => `${o.path}: ${o.message}`),
    );
    expect(failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.summary.outputsEncoded).toBe(FIXTURES.length * ALL.length);
  });

  it('leaves exactly the expected files: no temporaries, nothing else', async () => {
    const want = [
      'audiofan-manifest.json',
      ...ALL.flatMap((p) => FIXTURES.map((f) => join(p.id, f.rel.replace(/\.[^.]+$/, `.${p.extension}`)))),
    ].sort();
    expect(await listFiles(out)).toEqual(want);
  });

  for (const f of FIXTURES) {
    describe(f.rel, () => {
      for (const p of ALL) {
        it(`${p.id}: codec, rate, channels, length, tags, cover`, async () => {
          const file = join(out, p.id, f.rel.replace(/\.[^.]+$/, `.${p.extension}`));
          const m = await readBack(file);
          expect(m.format.codec).toBe(CODEC[p.container]);
          expect(m.format.sampleRate).toBe(chooseSampleRate(p.sampleRates, f.rate));
          expect(m.format.numberOfChannels).toBe(Math.min(f.channels, p.maxChannels ?? f.channels));
          expect(m.format.duration).toBeGreaterThan(SECONDS - 0.01);
          expect(m.format.duration).toBeLessThan(SECONDS + 0.1);
          if (p.container === 'flac')
            expect(m.format.bitsPerSample).toBe(p.bitDepth ? Math.min(p.bitDepth, f.bits) : f.bits);
          const c = m.common;
          expect(c.title).toBe(f.tags.TITLE ?? f.tags.title);
          if (f.tags.ARTIST ?? f.tags.artist) expect(c.artist).toBe(f.tags.ARTIST ?? f.tags.artist);
          if (f.tags.ALBUM) {
            expect(c.album).toBe(f.tags.ALBUM);
            expect(c.albumartist).toBe(f.tags.ALBUMARTIST);
            expect(c.track).toEqual({ no: Number(f.tags.TRACKNUMBER), of: 7 });
            expect(c.disk).toEqual({ no: 1, of: 2 });
            expect(c.date).toBe('2021-06-01');
            expect(c.genre).toEqual(['Test Genre']);
          }
          const pics = c.picture ?? [];
          if (f.cover) {
            expect(pics).toHaveLength(1);
            expect(pics[0].type).toBe('Cover (front)');
            expect(Buffer.from(pics[0].data).equals(coverBytes)).toBe(true);
          } else {
            expect(pics).toHaveLength(0);
          }
        });
      }
    });
  }

  it('flac is bit-exact for every source; flac-cd is bit-exact for a 16-bit/44.1 kHz source', async () => {
    for (const f of FIXTURES) {
      const out1 = join(out, 'flac', f.rel.replace(/\.[^.]+$/, '.flac'));
      expect(await pcmMd5(out1), f.rel).toBe(await pcmMd5(join(library, f.rel)));
    }
    const cd = FIXTURES[0];
    expect(await pcmMd5(join(out, 'flac-cd', cd.rel))).toBe(await pcmMd5(join(library, cd.rel)));
    // and a hi-res source is really changed (resampled, dithered) by flac-cd
    const hi = FIXTURES[1];
    expect(await pcmMd5(join(out, 'flac-cd', hi.rel))).not.toBe(await pcmMd5(join(library, hi.rel)));
  });

  it('writes a manifest that matches its JSON Schema and describes sources and outputs', async () => {
    const manifest = JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
    const schema = JSON.parse(await readFile(join(repo, 'dist/src/schemas/manifest.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest.ffmpeg.path).toBe(ffmpegPath);
    expect(manifest.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    const hi = manifest.sources.find((s: { rel: string }) => s.rel === FIXTURES[1].rel);
    expect(hi).toMatchObject({ codec: 'flac', sampleRate: 96000, bitsPerSample: 24, channels: 2, status: 'ok' });
    expect(hi.duration).toBeCloseTo(SECONDS, 2);
    expect(hi.decodedDuration).toBeCloseTo(SECONDS, 2);
    const mp3 = hi.outputs.find((o: { preset: string }) => o.preset === 'mp3-320');
    expect(mp3).toMatchObject({ status: 'ok', action: 'encoded', sampleRate: 48000, codec: 'MPEG 1 Layer 3' });
    expect(mp3.bitrate).toBeGreaterThan(300_000);
    expect(mp3.bitrate).toBeLessThan(340_000);
    expect(mp3.elapsedMs).toBeGreaterThan(0);
  });

  it('a second run finds everything up to date and encodes nothing', async () => {
    const again = await convertLibrary({ sources: [library], output: out, presets: ALL.map((p) => p.id), ffmpegPath });
    expect(again.summary.outputsEncoded).toBe(0);
    expect(again.summary.outputsKept).toBe(FIXTURES.length * ALL.length);
    expect(again.exitCode).toBe(0);
  });
});
