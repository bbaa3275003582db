/**
 * tagging/ogg-opus.ts: Ogg's CRC-32 against a bit-by-bit reference, the catalogue check value and pages ffmpeg wrote,
 * and a rewritten OpusTags header whose pages carry valid CRCs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oggCrc, writeOpusTags } from '../../../src/tagging/ogg-opus.js';

/** CRC-32, polynomial 0x04c11db7, MSB first, initial value 0, no final XOR: one bit at a time. */
function reference(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = ((crc >>> 31) ^ (byte >> bit)) & 1;
      crc = ((crc << 1) ^ (top ? 0x04c11db7 : 0)) >>> 0;
    }
  }
  return crc;
}

/** The first two pages of an Opus file made by ffmpeg 5.1 (-fflags +bitexact): OpusHead, then OpusTags. */
const FFMPEG_PAGES = [
  '4f6767530002000000000000000000000000000000000228b57201134f707573486561640101380180bb0000000000',
  '4f6767530000000000000000000000000000010000004995be54012e4f707573546167730600000066666d706567' +
    '0100000014000000656e636f6465723d4c617663206c69626f707573',
].map((h) => Buffer.from(h, 'hex'));
const withoutCrc = (page: Buffer) => Buffer.concat([page.subarray(0, 22), Buffer.alloc(4), page.subarray(26)]);

/** Deterministic bytes (a linear congruential generator), so a failure can be reproduced. */
const bytes = (n: number, seed: number) => {
  let s = seed;
  return Uint8Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  });
};

describe('oggCrc', () => {
  it.each([
    ['nothing', new Uint8Array(), 0],
    // CRC-32/CKSUM's catalogue check value is 0x765e7680; Ogg's CRC is the same without the final XOR.
    ['"123456789" (the catalogue check input)', Buffer.from('123456789'), (0x765e7680 ^ 0xffffffff) >>> 0],
    ['one zero byte', Uint8Array.of(0), 0],
    ['one byte 0x01: the polynomial itself', Uint8Array.of(1), 0x04c11db7],
  ] as [string, Uint8Array, number][])('%s', (_n, data, want) => {
    expect(oggCrc(data)).toBe(want);
    expect(reference(data)).toBe(want);
  });

  it.each(FFMPEG_PAGES.map((p, i) => [i, p] as const))('page %i written by ffmpeg: the CRC it stored', (_i, page) => {
    expect(oggCrc(withoutCrc(page))).toBe(page.readUInt32LE(22));
  });

  it('every length from 0 to 40 bytes (whole 8-byte steps and every tail): the same as the bit-by-bit reference', () => {
    const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let n = 0; n <= 40; n++)
      expect(oggCrc(data.subarray(0, n)), `${n} bytes`).toBe(reference(data.subarray(0, n)));
  });

  it('a page built by hand: the same as the bit-by-bit reference', () => {
    const body = Buffer.from('OpusTags\x06\x00\x00\x00vendor\x00\x00\x00\x00', 'latin1');
    const head = Buffer.concat([
      Buffer.from('OggS\x00\x00', 'latin1'),
      Buffer.alloc(8),
      Buffer.from([7, 0, 0, 0, 1, 0, 0, 0]),
      Buffer.alloc(4),
      Buffer.from([1, body.length]),
    ]);
    const page = Buffer.concat([head, body]);
    expect(page.length).toBe(27 + 1 + 22);
    expect(oggCrc(page)).toBe(reference(page));
  });

  it.each([1, 2, 255, 256, 4096].map((n) => [n]))('%i deterministic random bytes: the same as the reference', (n) => {
    const data = bytes(n, n);
    expect(oggCrc(data)).toBe(reference(data));
  });

  it('data followed by its CRC (big-endian) has CRC 0', () => {
    const data = bytes(100, 7);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(oggCrc(data));
    expect(oggCrc(Buffer.concat([data, crc]))).toBe(0);
  });
});

describe('writeOpusTags', () => {
  it("pages the new OpusTags with valid CRCs, keeping the encoder's vendor string and OpusHead as they were", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audiofan-unit-ogg-'));
    try {
      await writeFile(join(dir, 'in.opus'), Buffer.concat(FFMPEG_PAGES));
      await writeOpusTags(join(dir, 'in.opus'), join(dir, 'out.opus'), [['TITLE', 'Tape Loop']], []);
      const out = await readFile(join(dir, 'out.opus'));
      expect(out.subarray(0, 47)).toEqual(FFMPEG_PAGES[0]);
      const page = out.subarray(47);
      expect(page.length).toBe(27 + 1 + page[27]);
      expect(page.readUInt32LE(22)).toBe(reference(withoutCrc(page)));
      expect(page.subarray(28).toString('latin1')).toBe(
        'OpusTags\x06\x00\x00\x00ffmpeg\x01\x00\x00\x00\x0f\x00\x00\x00TITLE=Tape Loop',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
