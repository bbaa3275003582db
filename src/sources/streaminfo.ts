/**
 * A FLAC file's STREAMINFO block, read directly (42 bytes): what the encoder promised about the stream —
 * rate, channels, depth, length and the MD5 of its samples — against which the decoded audio is checked.
 */
import { open } from 'node:fs/promises';

export interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know it. */
  totalSamples: number;
  /** Hex; undefined when the encoder left it unset (all zeros). */
  md5?: string;
}

/** Parse the STREAMINFO block of a file's first 42 bytes; undefined unless "fLaC" then a STREAMINFO block. */
export function parseStreamInfo(b: Uint8Array): StreamInfo | undefined {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 42 || buf.toString('latin1', 0, 4) !== 'fLaC' || (buf[4] & 0x7f) !== 0) return undefined;
  // Bytes 18..25: rate (20 bits), channels-1 (3), bits-1 (5), total samples (36).
  const hi = buf.readUInt32BE(18);
  const lo = buf.readUInt32BE(22);
  const md5 = buf.subarray(26, 42);
  return {
    sampleRate: hi >>> 12,
    channels: ((hi >>> 9) & 7) + 1,
    bitsPerSample: ((hi >>> 4) & 31) + 1,
    totalSamples: (hi & 15) * 2 ** 32 + lo,
    ...(md5.every((x) => x === 0) ? {} : { md5: md5.toString('hex') }),
  };
}

/** The STREAMINFO of a file; undefined when it is not a bare FLAC stream that opens with one. */
export async function readStreamInfo(path: string): Promise<StreamInfo | undefined> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(42);
    const { bytesRead } = await fh.read(b, 0, 42, 0);
    return parseStreamInfo(b.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
