/**
 * Gapless, pinned: every built-in preset, on masters of awkward lengths (1 sample, one frame ± 1 of
 * each codec: MP3 1152, Opus 960 at 48 kHz, FLAC 4096; 1152·3 ± 1), decodes to exactly the master's
 * sample count at the output's rate. Lossy outputs are decoded by ffmpeg's gapless-aware decoders
 * (LAME tag delay/padding for MP3; pre-skip and end trimming for Opus), with each ffmpeg in turn.
 * Resampling (44.1k → Opus 48k, 48k → flac-cd 44.1k, 96k → 48k) gives floor(n · out/in + ½)
 * samples: that is what ffmpeg's resampler (soxr and swr alike, 4.1 and 5.1) emits after its flush.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadPresets } from '../dist/src/index.js';
import { chooseSampleRate } from '../dist/src/plan/recipe.js';
import { cli, ffmpegBinaries, tmp } from './helpers.js';

const exec = promisify(execFile);
const PRESETS = [...loadPresets().values()];
const SYSTEM = ffmpegBinaries().find((b) => !b.label.includes('4.1'));

/** Master lengths in samples, per source rate. */
const MASTERS: { rate: number; lengths: number[] }[] = [
  { rate: 44100, lengths: [1, 959, 961, 1151, 1153, 3455, 3457, 4095, 4097] },
  { rate: 48000, lengths: [1, 959, 961, 1153] },
  { rate: 96000, lengths: [4097] },
];

/** What the resampler gives for n samples from rate a to rate b (established against ffmpeg 4.1 and 5.1). */
const resampledLength = (n: number, a: number, b: number): number => (a === b ? n : Math.floor((n * b) / a + 0.5));

async function writeMaster(ffmpegPath: string, path: string, rate: number, n: number): Promise<void> {
  const src = `aevalsrc='0.3*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)+0.01*(random(1)-0.5)':s=${rate}:d=1`;
  await exec(
    ffmpegPath,
    ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', src, '-af', `atrim=end_sample=${n}`].concat([
      '-c:a',
      'flac',
      '-sample_fmt',
      's16',
      `file:${path}`,
    ]),
  );
}

/** Samples per channel a decoder gives back, for each file (one ffmpeg process decodes them all). */
async function decodedLengths(ffmpegPath: string, files: string[], demuxer: string): Promise<number[]> {
  // The demuxer is named, as a player knows it from the extension: probing a tiny MP3 (a few frames
  // behind a 1 KiB ID3 tag) can find H.263 in it.
  const args = ['-nostdin', '-v', 'error', '-y'];
  for (const f of files) args.push('-f', demuxer, '-i', `file:${f}`);
  for (const [i, f] of files.entries())
    args.push('-map', `${i}:a:0`, '-ac', '1', '-c:a', 'pcm_s16le', '-f', 's16le', `file:${f}.raw`);
  await exec(ffmpegPath, args);
  return Promise.all(files.map(async (f) => (await stat(`${f}.raw`)).size / 2));
}

/** An Ogg Opus file's own statement of its length: last granule position minus pre-skip (RFC 7845). */
async function opusDeclaredLength(file: string): Promise<number> {
  const b = await readFile(file);
  const preSkip = b.readUInt16LE(b.indexOf('OpusHead') + 10);
  const last = b.lastIndexOf('OggS');
  return Number(b.readBigInt64LE(last + 6)) - preSkip;
}

describe.each(ffmpegBinaries())('gapless with $label', ({ label, path }) => {
  it('every built-in preset decodes to exactly the master length', async () => {
    const dir = await tmp('gapless');
    const src = join(dir, 'src');
    await mkdir(src);
    const expected = new Map<string, { rate: number; n: number }>();
    for (const { rate, lengths } of MASTERS)
      for (const n of lengths) {
        const name = `m${rate}-${n}`;
        await writeMaster(path, join(src, `${name}.flac`), rate, n);
        expected.set(name, { rate, n });
      }
    const out = join(dir, 'out');
    const ids = PRESETS.map((p) => p.id).join(',');
    const r = await cli([src, '-o', out, '--create', '-p', ids, '--ffmpeg', path, '--json']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);

    const wrong: string[] = [];
    let checked = 0;
    for (const preset of PRESETS) {
      const names = (await readdir(join(out, preset.id))).sort();
      expect(names).toHaveLength(expected.size);
      const opus = preset.container === 'opus';
      // ffmpeg 4.1's Ogg demuxer applies no pre-skip when a stream's first audio packet is also its
      // last (a 1-sample master decodes to 313 samples): Opus outputs are decoded by the newer ffmpeg,
      // and their own length statement (granule position) is checked too. MP3 and FLAC by their maker.
      const decoder = opus ? (SYSTEM?.path ?? path) : path;
      const files = names.map((f) => join(out, preset.id, f));
      const got = await decodedLengths(decoder, files, opus ? 'ogg' : preset.container);
      for (const [i, f] of names.entries()) {
        const { rate, n } = expected.get(f.replace(/\.[^.]+$/, '')) ?? { rate: 0, n: -1 };
        const want = resampledLength(n, rate, chooseSampleRate(preset.sampleRates, rate));
        checked++;
        if (got[i] !== want) wrong.push(`${preset.id}/${f}: ${got[i]} samples (want ${want}), decoded by ${decoder}`);
        if (!opus) continue;
        const declared = await opusDeclaredLength(files[i]);
        if (declared !== want) wrong.push(`${preset.id}/${f}: granule says ${declared} samples (want ${want})`);
      }
    }
    expect(wrong, `made with ${label}`).toEqual([]);
    expect(checked).toBe(PRESETS.length * expected.size);
  });
});

describe('the resampling rule the expectations rest on', () => {
  it.each(ffmpegBinaries())('$label: floor(n·out/in + ½) samples after aresample', async ({ path }) => {
    for (const [n, a, b] of [
      [1, 96000, 48000],
      [5, 88200, 44100],
      [961, 48000, 44100],
      [1151, 44100, 48000],
      [4097, 44100, 32000],
    ]) {
      const src = `aevalsrc='0.3*sin(2*PI*440*t)':s=${a}:d=1`;
      const { stdout } = await exec(
        path,
        [
          '-nostdin',
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          src,
          '-af',
          `atrim=end_sample=${n},aresample=resampler=soxr:precision=28:osr=${b}`,
        ].concat(['-c:a', 'pcm_s16le', '-f', 's16le', '-']),
        { encoding: 'buffer' },
      );
      expect(stdout.length / 2, `${n} samples ${a} → ${b}`).toBe(resampledLength(n, a, b));
    }
  });
});
