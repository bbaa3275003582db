/**
 * Loudness: EBU R128 measured in the encoding run, album loudness gated over the whole album,
 * ReplayGain 2.0 in FLAC and MP3, R128 Q7.8 integers in Opus (header gain left at 0), checked
 * against ffmpeg's ebur128 filter run separately.
 */
import { execFile } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { ffmpeg, readBack, tmp, track } from './helpers.js';

const exec = promisify(execFile);
const TRACKS = [
  { name: '01 loud.flac', spec: { seed: 1, volume: 1 } },
  { name: '02 quiet.flac', spec: { seed: 2, volume: 0.25 } },
  { name: '03 sine.flac', spec: { kind: 'sine' as const, volume: 0.6 } },
];
let lib: string;

/** Integrated loudness and true peak from ffmpeg's own ebur128 filter over the given files, concatenated. */
async function measure(files: string[]): Promise<{ lufs: number; peak: number }> {
  const inputs = files.flatMap((f) => ['-i', f]);
  const graph = `${files.map((_, i) => `[${i}:a]`).join('')}concat=n=${files.length}:v=0:a=1,ebur128=peak=true[out]`;
  const { stderr } = await exec(ffmpeg(), [
    '-nostdin',
    '-hide_banner',
    ...inputs,
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-f',
    'null',
    '-',
  ]);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return {
    lufs: parseFloat(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]),
    peak: parseFloat(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)![1]),
  };
}

/** The largest absolute sample over the given files, dBFS, from their decoded samples (not from any meter). */
async function samplePeak(files: string[]): Promise<number> {
  let max = 0;
  for (const f of files) {
    const { stdout } = await exec(ffmpeg(), ['-v', 'error', '-i', f, '-f', 's16le', '-c:a', 'pcm_s16le', 'pipe:1'], {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    });
    for (let i = 0; i + 1 < stdout.length; i += 2) max = Math.max(max, Math.abs(stdout.readInt16LE(i)));
  }
  return 20 * Math.log10(max / 32768);
}

const tag = (m: Awaited<ReturnType<typeof readBack>>, key: string) => {
  for (const tags of Object.values(m.native))
    for (const t of tags) if (t.id === key || t.id === `TXXX:${key}`) return String(t.value);
  return undefined;
};
const db = (s?: string) => parseFloat(s!.replace(' dB', ''));
const peakDb = (s?: string) => 20 * Math.log10(parseFloat(s!));

beforeAll(async () => {
  lib = await tmp('loud-src');
  for (const [i, t] of TRACKS.entries()) {
    await track(join(lib, 'Album', t.name), {
      seconds: 8,
      ...t.spec,
      tags: {
        TITLE: t.name,
        ALBUM: 'Loud Album',
        ALBUMARTIST: 'Loud Artist',
        TRACKNUMBER: String(i + 1),
        REPLAYGAIN_TRACK_GAIN: '-99.00 dB',
      },
    });
  }
});

describe('loudness', () => {
  let out: string;
  let perTrack: { lufs: number; peak: number; sample: number }[];
  let album: { lufs: number; peak: number; sample: number };
  const files = () => TRACKS.map((t) => join(lib, 'Album', t.name));
  beforeAll(async () => {
    out = await tmp('loud-out');
    const r = await convertLibrary({ sources: [lib], output: out, presets: ['flac', 'mp3-v4', 'opus-64'] });
    expect(r.exitCode).toBe(0);
    perTrack = await Promise.all(
      files().map(async (f) => ({ ...(await measure([f])), sample: await samplePeak([f]) })),
    );
    album = { ...(await measure(files())), sample: await samplePeak(files()) };
  });

  for (const [i, t] of TRACKS.entries()) {
    for (const [preset, ext] of [
      ['flac', 'flac'],
      ['mp3-v4', 'mp3'],
    ] as const) {
      it(`${preset} ${t.name}: ReplayGain 2.0 track and album gain/peak match an independent measurement within 0.1 dB`, async () => {
        const m = await readBack(join(out, preset, 'Album', t.name.replace('.flac', `.${ext}`)));
        expect(db(tag(m, 'REPLAYGAIN_TRACK_GAIN'))).toBeCloseTo(-18 - perTrack[i].lufs, 1);
        expect(Math.abs(db(tag(m, 'REPLAYGAIN_TRACK_GAIN')) - (-18 - perTrack[i].lufs))).toBeLessThanOrEqual(0.1);
        // Sample peak by default: never below the largest sample, at most a 0.1 dB reading step above it.
        const trackPeak = peakDb(tag(m, 'REPLAYGAIN_TRACK_PEAK')) - perTrack[i].sample;
        expect(trackPeak).toBeGreaterThanOrEqual(-0.001);
        expect(trackPeak).toBeLessThanOrEqual(0.1);
        expect(Math.abs(db(tag(m, 'REPLAYGAIN_ALBUM_GAIN')) - (-18 - album.lufs))).toBeLessThanOrEqual(0.1);
        const albumPeak = peakDb(tag(m, 'REPLAYGAIN_ALBUM_PEAK')) - album.sample;
        expect(albumPeak).toBeGreaterThanOrEqual(-0.001);
        expect(albumPeak).toBeLessThanOrEqual(0.1);
        expect(tag(m, 'REPLAYGAIN_TRACK_GAIN')).not.toBe('-99.00 dB');
      });
    }
    it(`opus ${t.name}: R128 Q7.8 gains to -23 LUFS, no ReplayGain strings, header output gain 0`, async () => {
      const file = join(out, 'opus-64', 'Album', t.name.replace('.flac', '.opus'));
      const m = await readBack(file);
      expect(Number(tag(m, 'R128_TRACK_GAIN')) / 256).toBeCloseTo(-23 - perTrack[i].lufs, 0);
      expect(Math.abs(Number(tag(m, 'R128_TRACK_GAIN')) / 256 - (-23 - perTrack[i].lufs))).toBeLessThanOrEqual(0.1);
      expect(Math.abs(Number(tag(m, 'R128_ALBUM_GAIN')) / 256 - (-23 - album.lufs))).toBeLessThanOrEqual(0.1);
      expect(tag(m, 'R128_TRACK_GAIN')).toMatch(/^-?\d+$/);
      expect(m.native.vorbis.filter((x) => x.id.startsWith('REPLAYGAIN'))).toEqual([]);
      // OpusHead: "OpusHead", version, channels, pre-skip(2), rate(4), output gain (int16 LE at byte 16 of the packet).
      const fh = await open(file, 'r');
      const head = Buffer.alloc(200);
      await fh.read(head, 0, 200, 0);
      await fh.close();
      const at = head.indexOf('OpusHead');
      expect(head.readInt16LE(at + 16)).toBe(0);
    });
  }

  it('the tracks really differ in loudness (so the album gain is not just a track gain)', () => {
    expect(perTrack[0].lufs - perTrack[1].lufs).toBeGreaterThan(8);
  });

  it('--true-peak: the next run measures again and writes true peaks; the manifest says which peak it holds', async () => {
    // A quarter-rate sine at 45 degrees: every sample is at 0.354 (-9.0 dBFS) but the wave peaks at 0.5 (-6.0):
    // an inter-sample over of 3 dB, which only a true-peak meter sees.
    const src = await tmp('truepeak-src');
    const file = join(src, 'over.flac');
    const tone = 'aevalsrc=0.5*sin(2*PI*11025*t+PI/4):s=44100:d=6';
    await exec(ffmpeg(), [
      ...`-v error -f lavfi -i ${tone} -c:a flac -sample_fmt s16 -metadata TITLE=Over`.split(' '),
      file,
    ]);
    const dest = await tmp('truepeak-out');
    const run = (truePeak: boolean) => convertLibrary({ sources: [src], output: dest, presets: ['flac'], truePeak });
    const peakOf = async () => peakDb(tag(await readBack(join(dest, 'flac', 'over.flac')), 'REPLAYGAIN_TRACK_PEAK'));
    const recorded = async () =>
      (
        JSON.parse(await readFile(join(dest, 'audiofan-manifest.json'), 'utf8')) as {
          sources: { loudness: { peak: string; peakDbfs: number } }[];
        }
      ).sources[0].loudness;
    expect((await run(false)).exitCode).toBe(0);
    const sample = await samplePeak([file]);
    expect(sample).toBeCloseTo(-9.03, 1);
    expect((await peakOf()) - sample).toBeGreaterThanOrEqual(-0.001);
    expect((await peakOf()) - sample).toBeLessThanOrEqual(0.1);
    expect((await recorded()).peak).toBe('sample');
    const r = await run(true);
    expect(r.exitCode).toBe(0);
    // As ffmpeg's own true-peak meter reads it (its oversampling filter overshoots a little near 11 kHz).
    const truePeak = (await measure([file])).peak;
    expect(truePeak - sample).toBeGreaterThan(2.5);
    expect((await peakOf()) - truePeak).toBeGreaterThanOrEqual(-0.001);
    expect((await peakOf()) - truePeak).toBeLessThanOrEqual(0.1);
    expect((await recorded()).peak).toBe('true');
    // Tags only: the audio was not made again.
    expect(r.summary.outputsEncoded).toBe(0);
  });
});

describe('--no-loudness', () => {
  it('measures nothing and writes no gains; source ReplayGain is carried to FLAC and MP3 but never to Opus', async () => {
    const out = await tmp('noloud-out');
    const r = await convertLibrary({
      sources: [lib],
      output: out,
      presets: ['flac', 'mp3-v4', 'opus-64'],
      loudness: false,
    });
    expect(r.sources.every((s) => s.loudness === undefined)).toBe(true);
    const f = await readBack(join(out, 'flac', 'Album', '01 loud.flac'));
    expect(tag(f, 'REPLAYGAIN_TRACK_GAIN')).toBe('-99.00 dB');
    expect(tag(f, 'REPLAYGAIN_ALBUM_GAIN')).toBeUndefined();
    const o = await readBack(join(out, 'opus-64', 'Album', '01 loud.opus'));
    expect(o.native.vorbis.filter((x) => /^(REPLAYGAIN|R128)/.test(x.id))).toEqual([]);
  });
});
