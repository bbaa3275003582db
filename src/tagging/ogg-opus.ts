/**
 * Rewrite the comment header of an Ogg Opus (OpusTags) or Ogg Vorbis file. The new packet is paged
 * afresh, every later page is renumbered and its CRC recomputed; audio pages are otherwise untouched.
 * The identification header (and so Opus's output gain, which stays 0) is copied as it is.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { AudiofanError } from '../errors.js';
import type { Picture } from './picture.js';
import { vorbisCommentBody, type TagEntries } from './vorbis-comment.js';

/** Ogg's CRC-32 tables for slicing-by-8: T[k][b] is the CRC of byte b followed by k zero bytes. */
const CRC_TABLES = (() => {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t0[i] = r >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1];
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = ((prev[i] << 8) ^ t0[prev[i] >>> 24]) >>> 0;
    tables.push(t);
  }
  return tables;
})();

/**
 * Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0). Every page of a retagged file is summed again,
 * so eight bytes are folded per step (slicing-by-8): four times the speed of a byte at a time.
 */
export function oggCrc(page: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let crc = 0;
  let i = 0;
  const n = page.length;
  for (const end = n - (n % 8); i < end; i += 8) {
    const hi = (crc ^ ((page[i] << 24) | (page[i + 1] << 16) | (page[i + 2] << 8) | page[i + 3])) >>> 0;
    const lo = (page[i + 4] << 24) | (page[i + 5] << 16) | (page[i + 6] << 8) | page[i + 7];
    crc =
      t7[hi >>> 24] ^
      t6[(hi >>> 16) & 0xff] ^
      t5[(hi >>> 8) & 0xff] ^
      t4[hi & 0xff] ^
      t3[lo >>> 24] ^
      t2[(lo >>> 16) & 0xff] ^
      t1[(lo >>> 8) & 0xff] ^
      t0[lo & 0xff];
  }
  for (; i < n; i++) crc = (crc << 8) ^ t0[((crc >>> 24) ^ page[i]) & 0xff];
  return crc >>> 0;
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

/** What differs between the Ogg codecs whose comment header is rewritten here. */
interface OggCodec {
  name: string;
  /** Magic at the start of the first (identification) packet. */
  idMagic: string;
  /** Prefix of the comment packet (before the vendor string). */
  commentMagic: Buffer;
  /** Header packets after the identification packet (Opus: tags; Vorbis: comment, setup). */
  headerPackets: number;
  /** Bytes after the comment structure (Vorbis: the framing bit). */
  trailer: Buffer;
}

const OPUS: OggCodec = {
  name: 'Ogg Opus',
  idMagic: 'OpusHead',
  commentMagic: Buffer.from('OpusTags'),
  headerPackets: 1,
  trailer: Buffer.alloc(0),
};
const VORBIS: OggCodec = {
  name: 'Ogg Vorbis',
  idMagic: '\x01vorbis',
  commentMagic: Buffer.from('\x03vorbis', 'latin1'),
  headerPackets: 2,
  trailer: Buffer.from([1]),
};

/**
 * The header packets after the first page, and the index of the page the last of them ends: Opus
 * (RFC 7845) and Vorbis (I spec, 4.2) both end their headers at a page boundary, before any audio.
 */
function headerPackets(pages: Page[], count: number, file: string): { packets: Buffer[]; lastPage: number } {
  const packets: Buffer[] = [];
  let parts: Buffer[] = [];
  for (let i = 1; i < pages.length; i++) {
    let pos = 0;
    for (const [j, len] of pages[i].segments.entries()) {
      parts.push(pages[i].body.subarray(pos, pos + len));
      pos += len;
      if (len === 255) continue;
      packets.push(Buffer.concat(parts));
      parts = [];
      if (packets.length === count) {
        if (j !== pages[i].segments.length - 1)
          throw new AudiofanError('E_OUTPUT_INVALID', `${file}: audio shares a page with the headers`, { file });
        return { packets, lastPage: i };
      }
    }
  }
  throw new AudiofanError('E_OUTPUT_INVALID', `${file}: the header packets are incomplete`, { file });
}

async function writeOggComment(
  codec: OggCodec,
  src: string,
  dest: string,
  entries: TagEntries,
  pictures: Picture[],
): Promise<void> {
  const pages = parsePages(await readFile(src), src);
  if (pages.length < 2 || pages[0].body.toString('latin1', 0, codec.idMagic.length) !== codec.idMagic) {
    throw new AudiofanError('E_OUTPUT_INVALID', `${src}: not an ${codec.name} file`, { file: src });
  }
  const { packets, lastPage } = headerPackets(pages, codec.headerPackets, src);
  const old = packets[0];
  const m = codec.commentMagic.length;
  // Keep the encoder's vendor string (it names the encoder library, not the tagger).
  const vendor =
    old.subarray(0, m).equals(codec.commentMagic) && old.length >= m + 4
      ? old.toString('utf8', m + 4, m + 4 + old.readUInt32LE(m))
      : 'audiofan';
  const comment = Buffer.concat([codec.commentMagic, vorbisCommentBody(vendor, entries, pictures), codec.trailer]);
  // Each header packet starts a page of its own: allowed by both specs, and simplest to lay out.
  const headers: Page[] = [];
  for (const packet of [comment, ...packets.slice(1)])
    headers.push(...pagesForPacket(packet, pages[0].serial, 1 + headers.length));
  const rest = pages.slice(lastPage + 1).map((p, i) => ({ ...p, seq: 1 + headers.length + i }));
  await writeFile(dest, Buffer.concat([pages[0], ...headers, ...rest].map(serialize)));
}

/** Write `src` to `dest` with a new OpusTags packet (tags plus pictures as METADATA_BLOCK_PICTURE). */
export function writeOpusTags(src: string, dest: string, entries: TagEntries, pictures: Picture[]): Promise<void> {
  return writeOggComment(OPUS, src, dest, entries, pictures);
}

/** Write `src` to `dest` with a new Vorbis comment header (tags plus pictures as METADATA_BLOCK_PICTURE). */
export function writeVorbisTags(src: string, dest: string, entries: TagEntries, pictures: Picture[]): Promise<void> {
  return writeOggComment(VORBIS, src, dest, entries, pictures);
}
