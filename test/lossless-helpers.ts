/**
 * Test helpers for masters ffmpeg will not write as such: WAV files with extra chunks, a FLAC stream without its
 * header, and DSD (a DSF file from a small second-order sigma-delta modulator).
 */
import { writeFile } from 'node:fs/promises';

/** A RIFF/WAVE file with `chunks` inserted before its data chunk (RIFF size fixed; odd sizes padded). */
export function wavWithChunks(wav: Buffer, chunks: { id: string; data: Buffer; declaredSize?: number }[]): Buffer {
  if (wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE') throw new Error('not WAV');
  let at = 12;
  while (wav.toString('latin1', at, at + 4) !== 'data')
    at += 8 + wav.readUInt32LE(at + 4) + (wav.readUInt32LE(at + 4) & 1);
  const extra = chunks.map(({ id, data, declaredSize }) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(declaredSize ?? data.length, 4);
    return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
  });
  const out = Buffer.concat([wav.subarray(0, at), ...extra, wav.subarray(at)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

/** A fact chunk as a PCM WAV may carry it: the number of sample frames. */
export function factChunk(frames: number): { id: string; data: Buffer } {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(frames);
  return { id: 'fact', data };
}

/** The FLAC frames alone: "fLaC" and every metadata block cut off, as a stream captured mid-broadcast looks. */
export function flacFramesOnly(flac: Buffer): Buffer {
  let at = 4;
  for (let last = false; !last; ) {
    last = (flac[at] & 0x80) !== 0;
    at += 4 + (flac.readUInt32BE(at) & 0xffffff);
  }
  if (flac[at] !== 0xff || (flac[at + 1] & 0xfe) !== 0xf8) throw new Error('no frame sync after the metadata');
  return flac.subarray(at);
}

/**
 * A stereo DSF file (DSD64 unless `rate` says otherwise) holding a sine of `freq` Hz at `amplitude` (of full
 * modulation), from a second-order sigma-delta modulator: enough for ffmpeg's DSD decoder to recover the tone.
 */
export async function writeDsf(
  path: string,
  opts: { seconds: number; rate?: number; freq?: number; amplitude?: number },
): Promise<void> {
  const rate = opts.rate ?? 2_822_400;
  const samples = Math.round(opts.seconds * rate);
  const block = 4096;
  const blocks = Math.ceil(samples / 8 / block);
  const channels = 2;
  const data = Buffer.alloc(blocks * block * channels, 0x69); // 0x69: DSD's idle pattern pads the last block
  for (let ch = 0; ch < channels; ch++) {
    let v1 = 0;
    let v2 = 0;
    const w = (2 * Math.PI * (opts.freq ?? 1000) * (ch + 1)) / rate;
    for (let n = 0; n < samples; n += 8) {
      let byte = 0;
      for (let b = 0; b < 8; b++) {
        const x = (opts.amplitude ?? 0.4) * Math.sin(w * (n + b));
        const y = v2 >= 0 ? 1 : -1;
        v1 += x - y;
        v2 += v1 - y;
        if (y > 0) byte |= 1 << b; // DSF stores the first sample in the least significant bit
      }
      const i = n / 8;
      data[(Math.floor(i / block) * channels + ch) * block + (i % block)] = byte;
    }
  }
  const head = Buffer.alloc(28 + 52 + 12);
  head.write('DSD ', 0, 'latin1');
  head.writeBigUInt64LE(28n, 4);
  head.writeBigUInt64LE(BigInt(head.length + data.length), 12);
  head.writeBigUInt64LE(0n, 20); // no ID3 tag
  head.write('fmt ', 28, 'latin1');
  head.writeBigUInt64LE(52n, 32);
  head.writeUInt32LE(1, 40); // format version
  head.writeUInt32LE(0, 44); // DSD raw
  head.writeUInt32LE(2, 48); // channel type: stereo
  head.writeUInt32LE(channels, 52);
  head.writeUInt32LE(rate, 56);
  head.writeUInt32LE(1, 60); // bits per sample: 1 (LSB first)
  head.writeBigUInt64LE(BigInt(samples), 64);
  head.writeUInt32LE(block, 72);
  head.writeUInt32LE(0, 76);
  head.write('data', 80, 'latin1');
  head.writeBigUInt64LE(BigInt(12 + data.length), 84);
  await writeFile(path, Buffer.concat([head, data]));
}

/** The same WAV with its fmt chunk rewritten as a plain (not WAVE_FORMAT_EXTENSIBLE) one with format tag `tag`. */
export function wavPlainFormat(wav: Buffer, tag: number): Buffer {
  let at = 12;
  while (wav.toString('latin1', at, at + 4) !== 'fmt ')
    at += 8 + wav.readUInt32LE(at + 4) + (wav.readUInt32LE(at + 4) & 1);
  const size = wav.readUInt32LE(at + 4);
  const fmt = Buffer.alloc(8 + 18);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(18, 4);
  wav.copy(fmt, 8, at + 8, at + 8 + 16); // channels, rate, byte rate, block align, bits
  fmt.writeUInt16LE(tag, 8);
  fmt.writeUInt16LE(0, 24); // cbSize
  const out = Buffer.concat([wav.subarray(0, at), fmt, wav.subarray(at + 8 + size + (size & 1))]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}
