/**
 * Music-like test audio for the demo, the tests and the benchmark: a plucked melody over a
 * moving bass with a little noise, so encoders see tonal and noisy content, not pure sines.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runFfmpeg } from '../ffmpeg/adapter.js';

export interface TrackSpec {
  path: string;
  seconds: number;
  sampleRate?: number; // default 44100
  bits?: 16 | 24; // default 16
  channels?: number; // default 2
  /** Encoder; default flac. pcm_s16le/pcm_s24le for WAV, libmp3lame for a lossy file, etc. */
  codec?: string;
  /** Extra output args, e.g. ['-f', 'wav'] when the extension does not tell ffmpeg. */
  extraArgs?: string[];
  /** Tag keys as ffmpeg -metadata takes them (TITLE=..., ARTIST=...). */
  tags?: Record<string, string>;
  /** A JPEG/PNG embedded as front cover. */
  cover?: string;
  /** Changes the melody. */
  seed?: number;
  /** 'music' (default), 'sine' or 'noise'. */
  kind?: 'music' | 'sine' | 'noise';
  /** Linear gain applied to the signal (default 1). */
  volume?: number;
}

function expr(seed: number, kind: TrackSpec['kind'], ch: number): string {
  if (kind === 'sine') return `0.5*sin(2*PI*${440 + 110 * ch}*t)`;
  if (kind === 'noise') return '0.3*(random(0)-0.5)';
  const s = seed + ch * 3;
  const lead = `0.22*sin(2*PI*t*220*pow(2,mod(floor(t*4)*5+${s},12)/12))*exp(-5*mod(t,0.25))`;
  const bass = `0.14*sin(2*PI*t*55*pow(2,mod(floor(t/2)*7+${s},12)/12))`;
  const pad = `0.06*sin(2*PI*t*330*pow(2,mod(floor(t)*3+${s},12)/12))`;
  return `${lead}+${bass}+${pad}+0.015*(random(${ch})-0.5)`;
}

/** The lavfi source description for a track's audio. */
export function synthSource(
  t: Pick<TrackSpec, 'seconds' | 'sampleRate' | 'channels' | 'seed' | 'kind' | 'volume'>,
): string {
  const ch = t.channels ?? 2;
  const exprs = Array.from({ length: ch }, (_, i) => `${t.volume ?? 1}*(${expr(t.seed ?? 0, t.kind, i)})`).join('|');
  return `aevalsrc='${exprs}':s=${t.sampleRate ?? 44100}:d=${t.seconds}`;
}

/** Write one tagged track (with embedded front cover when given). */
export async function writeTrack(ffmpegPath: string, t: TrackSpec): Promise<void> {
  const codec = t.codec ?? 'flac';
  const bits = t.bits ?? 16;
  const args = ['-f', 'lavfi', '-i', synthSource(t)];
  if (t.cover) args.push('-i', t.cover);
  args.push('-map', '0:a');
  if (t.cover)
    args.push(
      '-map',
      '1:v',
      '-c:v',
      'copy',
      '-disposition:v',
      'attached_pic',
      '-metadata:s:v',
      'comment=Cover (front)',
      '-metadata:s:v',
      'title=Front',
    );
  args.push('-c:a', codec);
  if (codec === 'flac' || codec.startsWith('pcm_') || codec === 'wavpack' || codec === 'alac' || codec === 'tta') {
    const planar = codec === 'alac' || codec === 'wavpack' ? 'p' : '';
    args.push('-sample_fmt', `${bits === 24 ? 's32' : 's16'}${planar}`);
    if (bits === 24 && !codec.startsWith('pcm_')) args.push('-bits_per_raw_sample', '24');
  }
  for (const [k, v] of Object.entries(t.tags ?? {})) args.push('-metadata', `${k}=${v}`);
  args.push(...(t.extraArgs ?? []), `file:${t.path}`);
  await mkdir(dirname(t.path), { recursive: true });
  await runFfmpeg(ffmpegPath, args);
}

/** A cover picture (JPEG unless the name ends .png) of the given size. */
export async function writeCover(ffmpegPath: string, path: string, size = 500): Promise<void> {
  await runFfmpeg(ffmpegPath, [
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${size}x${size}:rate=1`,
    '-frames:v',
    '1',
    `file:${path}`,
  ]);
}
