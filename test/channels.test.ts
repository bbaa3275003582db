/**
 * Channels per target, on every ffmpeg: every layout from 1 to 8 channels (5.1(side), 5.0(side), quad(side)
 * among them), an FL-only mono WAV, a 4-channel WAV without a mask and a 4-channel AIFF, through flac, mp3-v0 and opus-128, each
 * output decoded. FLAC keeps the layout and the samples; Opus gets the layout libopus takes for the count, each
 * channel where it was; MP3 a mono or stereo downmix that keeps what only a surround channel carried. And
 * isolation: a master whose Opus output ffmpeg cannot make still yields its FLAC and MP3, and the failed
 * output's error quotes the line that names the cause.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type RunResult } from '../dist/src/index.js';
import { ffmpegBinaries, pcmMd5, tmp } from './helpers.js';
import { SPEAKER, writeWaveExtensible } from './wav-extensible.js';

const execFileP = promisify(execFile);

/** Each layout, its WAVE channel mask, its channel count, and the layout an Opus output of it must have. */
const LAYOUTS: [layout: string, mask: number, opus: string][] = [
  ['mono', 0x4, 'mono'],
  ['stereo', 0x3, 'stereo'],
  ['3.0', 0x7, '3.0'],
  ['quad', 0x33, 'quad'],
  ['quad(side)', 0x603, 'quad'],
  ['4.0', 0x107, 'quad'],
  ['5.0', 0x37, '5.0'],
  ['5.0(side)', 0x607, '5.0'],
  ['5.1', 0x3f, '5.1'],
  ['5.1(side)', 0x60f, '5.1'],
  ['6.1', 0x70f, '6.1'],
  ['7.1', 0x63f, '7.1'],
];

const bits = (mask: number) => mask.toString(2).replace(/0/g, '').length;

/** The stream line's layout field, as this ffmpeg names it ("5.1(side)", "1 channels (FL)"). */
async function layoutOf(ffmpegPath: string, file: string): Promise<string> {
  const err = await execFileP(ffmpegPath, ['-hide_banner', '-nostdin', '-i', `file:${file}`]).then(
    () => '',
    (e: { stderr: string }) => e.stderr,
  );
  const m = /Stream #0:0.*?: Audio: [^,]+, \d+ Hz, ([^,]+),/.exec(err);
  if (!m) throw new Error(`${file}: no audio stream line in:\n${err}`);
  return m[1].trim();
}

/** RMS of each decoded channel, dBFS. */
async function channelLevels(ffmpegPath: string, file: string, channels: number): Promise<number[]> {
  const args = ['-nostdin', '-v', 'error', '-i', `file:${file}`, '-map', '0:a:0', '-c:a', 'pcm_s16le', '-f', 's16le'];
  const { stdout } = await execFileP(ffmpegPath, [...args, 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 << 20 });
  const frames = stdout.length / 2 / channels;
  const sum = new Array<number>(channels).fill(0);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < channels; c++) sum[c] += stdout.readInt16LE((i * channels + c) * 2) ** 2;
  return sum.map((s) => 20 * Math.log10(Math.sqrt(s / frames) / 32768 + 1e-12));
}

interface Source {
  name: string;
  channels: number;
  opus: string;
}

describe.each(ffmpegBinaries())('channels per target, on $label', ({ path: ffmpegPath }) => {
  let result: RunResult;
  let lib: string;
  let out: string;
  const sources: Source[] = [];

  beforeAll(async () => {
    lib = await tmp('channels-lib');
    out = await tmp('channels-out');
    // Sound in the last channel only (a surround, or the centre of 3.0): a downmix that dropped it would be silent.
    // Written as WAV with the layout's mask (ffmpeg's pan filter is not reliable across versions), then as FLAC.
    for (const [layout, mask, opus] of LAYOUTS) {
      const name = `${layout}.flac`;
      const channels = bits(mask);
      const wav = await writeWaveExtensible(join(lib, `${layout}.tmp`), { channels, mask, loud: channels - 1 });
      await execFileP(ffmpegPath, [
        ...['-nostdin', '-v', 'error', '-y', '-f', 'wav', '-i', `file:${wav}`, '-metadata', `TITLE=${layout}`],
        ...['-c:a', 'flac', '-f', 'flac', `file:${join(lib, name)}`],
      ]);
      await rm(wav);
      expect(await layoutOf(ffmpegPath, join(lib, name)), 'the source has its layout').toBe(layout);
      sources.push({ name, channels, opus });
    }
    await writeWaveExtensible(join(lib, 'mono FL mask.wav'), { channels: 1, mask: SPEAKER.FL });
    sources.push({ name: 'mono FL mask.wav', channels: 1, opus: 'mono' });
    await writeWaveExtensible(join(lib, 'four no mask.wav'), { channels: 4, mask: 0, loud: 3 });
    sources.push({ name: 'four no mask.wav', channels: 4, opus: 'quad' });
    // AIFF has no channel mask at all: the layout is guessed from the count.
    await execFileP(ffmpegPath, [
      ...['-nostdin', '-v', 'error', '-y', '-i', `file:${join(lib, 'four no mask.wav')}`],
      ...['-c:a', 'pcm_s16be', '-f', 'aiff', `file:${join(lib, 'four.aiff')}`],
    ]);
    sources.push({ name: 'four.aiff', channels: 4, opus: 'quad' });
    result = await convertLibrary({
      sources: [lib],
      output: out,
      presets: ['flac', 'mp3-v0', 'opus-128'],
      ffmpegPath,
    });
  }, 180_000);

  it('every output of every source is made', () => {
    const failed = result.sources.flatMap((s) => s.outputs.filter((o) => o.status !== 'ok'));
    expect(failed.map((o) => `${o.path}: ${o.message}`)).toEqual([]);
    expect(result.sources.flatMap((s) => s.outputs)).toHaveLength(sources.length * 3);
  });

  const output = (s: Source, preset: string, ext: string) =>
    join(out, preset, s.name.replace(/\.(flac|wav|aiff)$/, `.${ext}`));

  it('FLAC keeps every channel, the layout and the samples', async () => {
    for (const s of sources) {
      const flac = output(s, 'flac', 'flac');
      const src = join(lib, s.name);
      expect(await layoutOf(ffmpegPath, flac), s.name).toBe(await layoutOf(ffmpegPath, src));
      expect(await pcmMd5(flac), s.name).toBe(await pcmMd5(src));
    }
  });

  it("Opus: libopus's layout for the count, each channel kept where it was", async () => {
    for (const s of sources) {
      const opus = output(s, 'opus-128', 'opus');
      expect(await layoutOf(ffmpegPath, opus), s.name).toBe(s.opus);
      const levels = await channelLevels(ffmpegPath, opus, s.channels);
      const loud = s.channels - 1;
      expect(levels[loud], `${s.name}: the channel that carries the sound`).toBeGreaterThan(-30);
      for (const [c, l] of levels.entries())
        if (c !== loud) expect(l, `${s.name}: channel ${c} stays quiet`).toBeLessThan(levels[loud] - 20);
    }
  });

  it('MP3: mono stays mono, more becomes a stereo downmix that keeps what only a surround carried', async () => {
    for (const s of sources) {
      const mp3 = output(s, 'mp3-v0', 'mp3');
      const channels = Math.min(s.channels, 2);
      expect(await layoutOf(ffmpegPath, mp3), s.name).toBe(channels === 1 ? 'mono' : 'stereo');
      const levels = await channelLevels(ffmpegPath, mp3, channels);
      // The source's sound is at -15 dBFS RMS; ffmpeg's downmix normalises its matrix, so it comes out lower.
      expect(Math.max(...levels), `${s.name}: not silent`).toBeGreaterThan(-45);
    }
  });
});

describe.each(ffmpegBinaries())('isolation: one output ffmpeg cannot make, on $label', ({ path: ffmpegPath }) => {
  let result: RunResult;

  beforeAll(async () => {
    const lib = await tmp('isolate-lib');
    const out = await tmp('isolate-out');
    await mkdir(join(lib, 'A'));
    await execFileP(ffmpegPath, [
      ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=3:sample_rate=44100'],
      ...['-ac', '2', '-metadata', 'TITLE=Isolated', '-c:a', 'flac', `file:${join(lib, 'A', '1.flac')}`],
    ]);
    result = await convertLibrary({
      sources: [lib],
      output: out,
      presets: ['flac', 'mp3-v0', 'opus-broken'],
      // libopus refuses this frame duration when ffmpeg opens the encoder, after the preset passed validation.
      extraPresets: [
        {
          id: 'opus-broken',
          description: 'libopus refuses it',
          container: 'opus',
          extension: 'opus',
          encoder: 'libopus',
          encoderArgs: ['-frame_duration', '7'],
          sampleRates: [48000],
        },
      ],
      // One job for the source: its outputs share one ffmpeg run, which fails.
      jobs: 1,
      ffmpegPath,
    });
  }, 120_000);

  it('the FLAC and the MP3 are made, with their loudness tags', () => {
    const byPreset = Object.fromEntries(result.sources[0].outputs.map((o) => [o.preset, o]));
    expect(byPreset.flac).toMatchObject({ status: 'ok', channels: 2 });
    expect(byPreset['mp3-v0']).toMatchObject({ status: 'ok', channels: 2 });
    expect(result.sources[0].loudness?.integratedLufs).toEqual(expect.any(Number));
  });

  it("the Opus output fails alone, quoting libopus's reason and keeping a stderr tail", () => {
    const o = result.sources[0].outputs.find((x) => x.preset === 'opus-broken')!;
    expect(o).toMatchObject({ status: 'failed', code: 'E_FFMPEG_FAILED' });
    expect(o.message).toMatch(/Frame duration must be exactly one of/);
    expect(o.message).not.toMatch(/Conversion failed/);
    expect(o.stderrTail).toMatch(/Frame duration must be exactly one of[\s\S]*Conversion failed!/);
    expect(result.sources[0].outputs.filter((x) => x.status === 'failed')).toHaveLength(1);
  });
});

describe.each(ffmpegBinaries())(
  'user presets (AAC, Vorbis, ALAC): the same normalisation, on $label',
  ({ path: ffmpegPath }) => {
    let result: RunResult;
    let lib: string;
    let out: string;
    // name, mask, channels of the AAC output (no 7-channel MPEG-4 configuration: 5.1), layout of the Vorbis output.
    const CASES: [name: string, mask: number, aac: number, vorbis: string][] = [
      ['mono FL mask', SPEAKER.FL, 1, 'mono'],
      ['quad(side)', 0x603, 4, 'quad'],
      ['5.1(side)', 0x60f, 6, '5.1'],
      ['6.1', 0x70f, 6, '6.1'],
      ['7.1', 0x63f, 8, '7.1'],
    ];
    const AAC_LAYOUT: Record<number, string> = { 1: 'mono', 4: '4.0', 6: '5.1', 8: '7.1' };
    const PRESETS = [
      { id: 'aac-192', container: 'm4a', extension: 'm4a', encoder: 'aac', encoderArgs: ['-b:a', '192k'] },
      { id: 'vorbis-q5', container: 'ogg', extension: 'ogg', encoder: 'libvorbis', encoderArgs: ['-q:a', '5'] },
      { id: 'alac', container: 'm4a', extension: 'm4a', encoder: 'alac', encoderArgs: [], lossless: true },
    ].map((p) => ({ description: `user ${p.id}`, ...p }));

    beforeAll(async () => {
      lib = await tmp('user-channels-lib');
      out = await tmp('user-channels-out');
      for (const [name, mask] of CASES) {
        const channels = bits(mask);
        await writeWaveExtensible(join(lib, `${name}.wav`), { channels, mask, loud: channels - 1 });
      }
      result = await convertLibrary({
        sources: [lib],
        output: out,
        presets: PRESETS.map((p) => p.id),
        extraPresets: PRESETS,
        ffmpegPath,
      });
    }, 180_000);

    it('every output is made', () => {
      const failed = result.sources.flatMap((s) => s.outputs.filter((o) => o.status !== 'ok'));
      expect(failed.map((o) => `${o.path}: ${o.message}`)).toEqual([]);
      expect(result.sources.flatMap((s) => s.outputs)).toHaveLength(CASES.length * PRESETS.length);
    });

    it('AAC: its channel configurations (7 channels downmixed to 5.1), never silent', async () => {
      for (const [name, , channels] of CASES) {
        const file = join(out, 'aac-192', `${name}.m4a`);
        // ffmpeg's word for it: an MP4 sample entry says 2 channels for any AAC stream, so music-metadata cannot tell.
        expect(await layoutOf(ffmpegPath, file), name).toBe(AAC_LAYOUT[channels]);
        const levels = await channelLevels(ffmpegPath, file, channels);
        expect(Math.max(...levels), `${name}: not silent`).toBeGreaterThan(-45);
      }
    });

    it('Vorbis: the Vorbis layout for the count, each channel where it was', async () => {
      for (const [name, mask, , layout] of CASES) {
        const file = join(out, 'vorbis-q5', `${name}.ogg`);
        expect(await layoutOf(ffmpegPath, file), name).toBe(layout);
        const levels = await channelLevels(ffmpegPath, file, bits(mask));
        expect(levels.indexOf(Math.max(...levels)), `${name}: the loud channel`).toBe(bits(mask) - 1);
      }
    });

    it("ALAC: every channel, relabelled only: the samples are the source's", async () => {
      for (const [name] of CASES) {
        const file = join(out, 'alac', `${name}.m4a`);
        expect(await pcmMd5(file), name).toBe(await pcmMd5(join(lib, `${name}.wav`)));
      }
    });
  },
);
