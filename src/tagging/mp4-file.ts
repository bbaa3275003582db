/**
 * Rewrite the tags (moov/udta/meta/ilst) of an MP4 audio file (AAC or ALAC in .m4a); the items come from
 * mp4-ilst.ts. The new moov replaces the old one; when it sits before the audio (faststart), every chunk
 * offset (stco/co64) moves by the size difference. The audio (mdat) is copied byte for byte.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { AudiofanError } from '../errors.js';
import { copyTail } from './copy-tail.js';
import { atom, ilst } from './mp4-ilst.js';
import type { Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

interface Box {
  type: string;
  start: number;
  size: number;
  header: number;
}

function boxes(buf: Buffer, from: number, to: number, file: string): Box[] {
  const out: Box[] = [];
  for (let o = from; o + 8 <= to; ) {
    let size = buf.readUInt32BE(o);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(o + 8));
      header = 16;
    } else if (size === 0) size = to - o;
    if (size < header || o + size > to)
      throw new AudiofanError('E_OUTPUT_INVALID', `${file}: bad MP4 box at byte ${o}`, { file });
    out.push({ type: buf.toString('latin1', o + 4, o + 8), start: o, size, header });
    o += size;
  }
  return out;
}

/** Add `delta` to every chunk offset in the moov body (stco: 32-bit, co64: 64-bit). */
function shiftChunkOffsets(moov: Buffer, delta: number, file: string): void {
  const walk = (from: number, to: number) => {
    for (const b of boxes(moov, from, to, file)) {
      const body = b.start + b.header;
      if (['trak', 'mdia', 'minf', 'stbl'].includes(b.type)) walk(body, b.start + b.size);
      else if (b.type === 'stco' || b.type === 'co64') {
        const n = moov.readUInt32BE(body + 4);
        for (let i = 0; i < n; i++) {
          if (b.type === 'stco') {
            const at = body + 8 + 4 * i;
            const v = moov.readUInt32BE(at) + delta;
            if (v > 0xffffffff)
              throw new AudiofanError('E_OUTPUT_WRITE', `${file}: chunk offsets overflow 32 bits`, { file });
            moov.writeUInt32BE(v, at);
          } else {
            const at = body + 8 + 8 * i;
            moov.writeBigUInt64BE(moov.readBigUInt64BE(at) + BigInt(delta), at);
          }
        }
      }
    }
  };
  walk(8, moov.length);
}

/** moov with its udta's meta replaced by ours (other udta children kept). */
function newMoov(moov: Buffer, list: Buffer, file: string): Buffer {
  const children = boxes(moov, 8, moov.length, file);
  const hdlr = atom('hdlr', Buffer.alloc(8), Buffer.from('mdirappl', 'latin1'), Buffer.alloc(9));
  const meta = atom('meta', Buffer.alloc(4), hdlr, list);
  const kept: Buffer[] = [];
  let udtaRest: Buffer[] = [];
  for (const c of children) {
    const bytes = moov.subarray(c.start, c.start + c.size);
    if (c.type !== 'udta') kept.push(bytes);
    else
      udtaRest = boxes(moov, c.start + c.header, c.start + c.size, file)
        .filter((u) => u.type !== 'meta')
        .map((u) => moov.subarray(u.start, u.start + u.size));
  }
  return atom('moov', ...kept, atom('udta', ...udtaRest, meta));
}

/** Write `src` to `dest` with new tags and cover. */
export async function writeMp4Tags(src: string, dest: string, entries: TagEntries, pictures: Picture[]): Promise<void> {
  // Top-level boxes are read by their headers; only moov (a few hundred KB at most) is loaded.
  const fh = await open(src, 'r');
  const top: Box[] = [];
  let moovBytes: Buffer | undefined;
  try {
    const { size } = await fh.stat();
    const h = Buffer.alloc(16);
    for (let o = 0; o + 8 <= size; ) {
      await fh.read(h, 0, 16, o);
      let len = h.readUInt32BE(0);
      let header = 8;
      if (len === 1) {
        len = Number(h.readBigUInt64BE(8));
        header = 16;
      } else if (len === 0) len = size - o;
      if (len < header || o + len > size)
        throw new AudiofanError('E_OUTPUT_INVALID', `${src}: bad MP4 box at byte ${o}`, { file: src });
      const box = { type: h.toString('latin1', 4, 8), start: o, size: len, header };
      top.push(box);
      if (box.type === 'moov') {
        moovBytes = Buffer.alloc(len);
        await fh.read(moovBytes, 0, len, o);
      }
      o += len;
    }
  } finally {
    await fh.close();
  }
  const moov = top.find((b) => b.type === 'moov');
  const mdat = top.find((b) => b.type === 'mdat');
  if (top[0]?.type !== 'ftyp' || !moov || !moovBytes || !mdat)
    throw new AudiofanError('E_OUTPUT_INVALID', `${src}: not an MP4 file`, { file: src });
  const fresh = newMoov(moovBytes, ilst(entries, pictures), src);
  if (moov.start < mdat.start) {
    // faststart: the audio moves by the size difference, and so must every offset pointing into it.
    shiftChunkOffsets(fresh, fresh.length - moov.size, src);
    const before = Buffer.alloc(moov.start);
    const fh2 = await open(src, 'r');
    try {
      await fh2.read(before, 0, moov.start, 0);
    } finally {
      await fh2.close();
    }
    await copyTail(src, moov.start + moov.size, dest, Buffer.concat([before, fresh]));
  } else {
    // moov after the audio: nothing moves; the file is small enough to rebuild in memory.
    const all = await readFile(src);
    await writeFile(dest, Buffer.concat([all.subarray(0, moov.start), fresh, all.subarray(moov.start + moov.size)]));
  }
}
