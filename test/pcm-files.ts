/**
 * Test masters written byte by byte, so their depth and sample format are exactly what a test says: WAV files of
 * any integer depth (valid bits in a wider container, WAVE_FORMAT_EXTENSIBLE) or float (format tag 3), and FLAC
 * files of any depth made from them by libFLAC's own `flac` (when installed).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** libFLAC's command-line tool, when installed (.ci/run installs Debian's `flac`). */
export const FLAC_CLI = ['/usr/bin/flac', '/usr/local/bin/flac'].find((p) => existsSync(p));

export interface PcmSpec {
  /** Bits that carry the signal (integer), or 32/64 for float. */
  bits: number;
  /** Container bits per sample (integer): 8, 16, 24 or 32; default the signal bits rounded up to a byte. */
  container?: number;
  float?: boolean;
  channels?: number;
  rate?: number;
  seconds?: number;
  /** Peak of the noise, as a fraction of full scale; float masters may exceed 1. Default 0.5. */
  peak?: number;
  /** Seed of the noise; the same seed gives the same samples. */
  seed?: number;
  /** Round every sample to this many bits: a 24-bit signal in a 32-bit integer or a float file. */
  contentBits?: number;
}

/** A small deterministic noise source (xorshift32) in [-1, 1). */
function noise(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 31 - 1;
  };
}

/** Write a WAV master; integer samples use every one of `bits` bits (odd low bits included). */
export async function writeWav(path: string, spec: PcmSpec): Promise<string> {
  const channels = spec.channels ?? 2;
  const rate = spec.rate ?? 44100;
  const frames = Math.round(rate * (spec.seconds ?? 2));
  const container = spec.float ? spec.bits : (spec.container ?? Math.ceil(spec.bits / 8) * 8);
  const bytes = container / 8;
  const data = Buffer.alloc(frames * channels * bytes);
  const rnd = noise(spec.seed ?? 1);
  const peak = spec.peak ?? 0.5;
  for (let i = 0; i < frames * channels; i++) {
    const q = spec.contentBits ? 2 ** (spec.contentBits - 1) : 0;
    const v = q ? Math.round(rnd() * peak * q) / q : rnd() * peak;
    const at = i * bytes;
    if (spec.float) {
      if (container === 32) data.writeFloatLE(v, at);
      else data.writeDoubleLE(v, at);
      continue;
    }
    // The signal's integer at its own depth, placed at the top of the container (WAV's convention).
    const max = 2 ** (spec.bits - 1);
    const s = Math.max(-max, Math.min(max - 1, Math.round(v * max))) * 2 ** (container - spec.bits);
    if (container === 8) data.writeUInt8(s + 128, at);
    else data.writeIntLE(s, at, bytes);
  }
  const extensible = !spec.float && (container !== spec.bits || container > 16);
  const fmt = Buffer.alloc(extensible ? 40 : spec.float ? 18 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : spec.float ? 3 : 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * channels * bytes, 8);
  fmt.writeUInt16LE(channels * bytes, 12);
  fmt.writeUInt16LE(container, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(spec.bits, 18);
    fmt.writeUInt32LE(channels === 2 ? 3 : channels === 1 ? 4 : 0, 20);
    // KSDATAFORMAT_SUBTYPE_PCM
    Buffer.from('0100000000001000800000aa00389b71', 'hex').copy(fmt, 24);
  }
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('data', data)]);
  const out = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), body]);
  out.writeUInt32LE(out.length - 8, 4);
  await writeFile(path, out);
  return path;
}

/** A FLAC master of any integer depth (4 to 32 bits), encoded by libFLAC from a WAV written as above. */
export async function writeFlac(path: string, spec: PcmSpec): Promise<string> {
  if (!FLAC_CLI) throw new Error('libFLAC `flac` is not installed');
  const wav = `${path}.src.wav`;
  await writeWav(wav, spec);
  await exec(FLAC_CLI, ['-s', '-f', '--delete-input-file', '-o', path, wav]);
  return path;
}
