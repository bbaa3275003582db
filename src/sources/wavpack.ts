/**
 * WavPack hybrid mode: a .wv file alone is then lossy (the .wvc correction file, which ffmpeg never reads, holds the
 * rest). ffmpeg reports both as `wavpack`, so the first block header's HYBRID flag tells them apart.
 */
import { open } from 'node:fs/promises';

/** Bit 3 of a block's flags (WavPack 4/5 block header, offset 24): hybrid, lossy unless the .wvc is applied. */
const HYBRID_FLAG = 0x8;

/** True when the first WavPack block of the file is hybrid (lossy); false when lossless or not found. */
export async function isWavpackHybrid(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    // The first block normally starts at 0; an ID3v2 or junk prefix is searched past, within 1 MiB.
    const b = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    const at = b.subarray(0, bytesRead).indexOf('wvpk', 0, 'latin1');
    if (at < 0 || at + 28 > bytesRead) return false;
    return (b.readUInt32LE(at + 24) & HYBRID_FLAG) !== 0;
  } finally {
    await fh.close();
  }
}
