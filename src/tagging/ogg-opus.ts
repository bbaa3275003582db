/**
 * Rewrite the comment header (OpusTags) of an Ogg Opus file. The new packet is paged afresh,
 * every later page is renumbered and its CRC recomputed; audio pages are otherwise untouched.
 * The OpusHead header (and so its output gain, which stays 0) is copied as it is.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { AudiofanError } from '../errors.js';
import type { Picture } from './picture.js';
import { vorbisCommentBody, type TagEntries } from './vorbis-comment.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0). */
export function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  return crc;
}

interface Page {
  headerType: number;
  granule: Buffer;
  serial: number;
  seq: number;
  segments: number[];
  body: Buffer;
}

function parsePages(buf: Buffer, file: string): Page[] {
  const pages: Page[] = [];
  let o = 0;
  while (o < buf.length) {
    if (buf.toString('latin1', o, o + 4) !== 'OggS')
      throw new AudiofanError('E_OUTPUT_INVALID', `${file}: bad Ogg page at byte ${o}`, { file });
    const n = buf[o + 26];
    const segments = [...buf.subarray(o + 27, o + 27 + n)];
    const size = segments.reduce((a, b) => a + b, 0);
    const start = o + 27 + n;
    pages.push({
      headerType: buf[o + 5],
      granule: Buffer.from(buf.subarray(o + 6, o + 14)),
      serial: buf.readUInt32LE(o + 14),
      seq: buf.readUInt32LE(o + 18),
      segments,
      body: buf.subarray(start, start + size),
    });
    o = start + size;
  }
  return pages;
}

function serialize(p: Page): Buffer {
  const h = Buffer.alloc(27 + p.segments.length);
  h.write('OggS', 0, 'latin1');
  h[4] = 0;
  h[5] = p.headerType;
  p.granule.copy(h, 6);
  h.writeUInt32LE(p.serial, 14);
  h.writeUInt32LE(p.seq, 18);
  h[26] = p.segments.length;
  Buffer.from(p.segments).copy(h, 27);
  const page = Buffer.concat([h, p.body]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** Lay one packet out over as many pages as it needs (255 lacing values of up to 255 bytes each). */
function pagesForPacket(packet: Buffer, serial: number, firstSeq: number): Page[] {
  const lacing: number[] = [];
  for (let left = packet.length; ; left -= 255) {
    lacing.push(Math.min(255, left));
    if (left < 255) break;
  }
  const pages: Page[] = [];
  let pos = 0;
  for (let i = 0; i < lacing.length; i += 255) {
    const segs = lacing.slice(i, i + 255);
    const size = segs.reduce((a, b) => a + b, 0);
    const ends = i + 255 >= lacing.length;
    const granule = Buffer.alloc(8, ends ? 0 : 0xff); // -1 on pages where no packet ends (RFC 3533)
    pages.push({
      headerType: i === 0 ? 0 : 1,
      granule,
      serial,
      seq: firstSeq + pages.length,
      segments: segs,
      body: packet.subarray(pos, pos + size),
    });
    pos += size;
  }
  return pages;
}

/** Write `src` to `dest` with a new OpusTags packet (tags plus pictures as METADATA_BLOCK_PICTURE). */
export async function writeOpusTags(
  src: string,
  dest: string,
  entries: TagEntries,
  pictures: Picture[],
): Promise<void> {
  const pages = parsePages(await readFile(src), src);
  if (pages.length < 2 || pages[0].body.toString('latin1', 0, 8) !== 'OpusHead') {
    throw new AudiofanError('E_OUTPUT_INVALID', `${src}: not an Ogg Opus file`, { file: src });
  }
  // The comment packet starts on page 1 and, per RFC 7845, ends its page: find that page.
  let end = 1;
  while (end < pages.length && pages[end].segments.at(-1) === 255) end++;
  const old = Buffer.concat(pages.slice(1, end + 1).map((p) => p.body));
  // Keep the encoder's vendor string (it names the encoder library, not the tagger).
  const vendor =
    old.toString('latin1', 0, 8) === 'OpusTags' && old.length >= 12
      ? old.toString('utf8', 12, 12 + old.readUInt32LE(8))
      : 'audiofan';
  const packet = Buffer.concat([Buffer.from('OpusTags'), vorbisCommentBody(vendor, entries, pictures)]);
  const tagPages = pagesForPacket(packet, pages[0].serial, 1);
  const rest = pages.slice(end + 1).map((p, i) => ({ ...p, seq: 1 + tagPages.length + i }));
  await writeFile(dest, Buffer.concat([pages[0], ...tagPages, ...rest].map(serialize)));
}
