/**
 * Rewrite the iTunes-style tags (moov/udta/meta/ilst) of an MP4 audio file (AAC or ALAC in .m4a):
 * every canonical entry becomes an ilst item (the well-known atoms, else a com.apple.iTunes free-form
 * item, as Picard writes them), several values as several data atoms, the cover as `covr`. The new moov
 * replaces the old one; when it sits before the audio (faststart), every chunk offset (stco/co64) moves
 * by the size difference. The audio (mdat) is copied byte for byte.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { AudiofanError } from '../errors.js';
import { copyTail } from './copy-tail.js';
import type { Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

/** Canonical key -> ilst text atom. */
const TEXT_ATOMS: Record<string, string> = {
  TITLE: '©nam',
  ARTIST: '©ART',
  ALBUM: '©alb',
  ALBUMARTIST: 'aART',
  DATE: '©day',
  GENRE: '©gen',
  COMPOSER: '©wrt',
  COMMENT: '©cmt',
  // Vorbis DESCRIPTION is what ffmpeg writes for a comment, and what most readers take for one.
  DESCRIPTION: '©cmt',
  LYRICS: '©lyr',
  GROUPING: '©grp',
  COPYRIGHT: 'cprt',
  TITLESORT: 'sonm',
  ARTISTSORT: 'soar',
  ALBUMSORT: 'soal',
  ALBUMARTISTSORT: 'soaa',
  COMPOSERSORT: 'soco',
  ENCODEDBY: '©too',
};

/** Canonical key -> free-form name where Picard's differs from the key itself. */
const FREEFORM_NAMES: Record<string, string> = {
  MUSICBRAINZ_TRACKID: 'MusicBrainz Track Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz Release Track Id',
  MUSICBRAINZ_ALBUMID: 'MusicBrainz Album Id',
  MUSICBRAINZ_ARTISTID: 'MusicBrainz Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz Album Artist Id',
  MUSICBRAINZ_RELEASEGROUPID: 'MusicBrainz Release Group Id',
  MUSICBRAINZ_WORKID: 'MusicBrainz Work Id',
  MUSICBRAINZ_DISCID: 'MusicBrainz Disc Id',
  RELEASESTATUS: 'MusicBrainz Album Status',
  RELEASETYPE: 'MusicBrainz Album Type',
  RELEASECOUNTRY: 'MusicBrainz Album Release Country',
  REPLAYGAIN_TRACK_GAIN: 'replaygain_track_gain',
  REPLAYGAIN_TRACK_PEAK: 'replaygain_track_peak',
  REPLAYGAIN_ALBUM_GAIN: 'replaygain_album_gain',
  REPLAYGAIN_ALBUM_PEAK: 'replaygain_album_peak',
};

/** Keys folded into another item (track and disc totals go into trkn/disk). */
const FOLDED = new Set(['TRACKNUMBER', 'TRACKTOTAL', 'TOTALTRACKS', 'DISCNUMBER', 'DISCTOTAL', 'TOTALDISCS']);

const UTF8 = 1;
const BINARY = 0;
const INTEGER = 21;

function atom(type: string, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + b.length);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, b]);
}

/** A `data` atom: 4 bytes of version and type, 4 of locale, then the value. */
function data(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(type);
  return atom('data', h, value);
}

const int = (s: string | undefined) => {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 65535) : 0;
};

/** trkn / disk: 2 reserved bytes, number, total (trkn has 2 more reserved bytes). */
function pairItem(type: 'trkn' | 'disk', n: string | undefined, total: string | undefined): Buffer | undefined {
  const [num, of] = (n ?? '').split('/');
  if (!int(num)) return undefined;
  const b = Buffer.alloc(type === 'trkn' ? 8 : 6);
  b.writeUInt16BE(int(num), 2);
  b.writeUInt16BE(int(total ?? of), 4);
  return atom(type, data(BINARY, b));
}

/** The ilst atom for an output's entries and pictures. */
export function ilst(entries: TagEntries, pictures: Picture[]): Buffer {
  const g = new Map<string, string[]>();
  for (const [k, v] of entries) g.set(k, [...(g.get(k) ?? []), v]);
  const first = (...keys: string[]) => keys.map((k) => g.get(k)?.[0]).find((v) => v !== undefined);
  const items: Buffer[] = [];
  // Two keys can share an atom (COMMENT, DESCRIPTION): one atom, all their values.
  const text = new Map<string, Buffer[]>();
  for (const [key, values] of g) {
    if (FOLDED.has(key)) continue;
    const texts = values.map((v) => data(UTF8, Buffer.from(v, 'utf8')));
    if (TEXT_ATOMS[key]) text.set(TEXT_ATOMS[key], [...(text.get(TEXT_ATOMS[key]) ?? []), ...texts]);
    else if (key === 'COMPILATION') items.push(atom('cpil', data(INTEGER, Buffer.from([values[0] === '1' ? 1 : 0]))));
    else if (key === 'BPM' && int(values[0])) {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(int(values[0]));
      items.push(atom('tmpo', data(INTEGER, b)));
    } else {
      const fullbox = (type: string, s: string) => atom(type, Buffer.alloc(4), Buffer.from(s, 'utf8'));
      items.push(
        atom('----', fullbox('mean', 'com.apple.iTunes'), fullbox('name', FREEFORM_NAMES[key] ?? key), ...texts),
      );
    }
  }
  items.unshift(...[...text].map(([type, texts]) => atom(type, ...texts)));
  const trkn = pairItem('trkn', first('TRACKNUMBER'), first('TRACKTOTAL', 'TOTALTRACKS'));
  const disk = pairItem('disk', first('DISCNUMBER'), first('DISCTOTAL', 'TOTALDISCS'));
  for (const x of [trkn, disk]) if (x) items.push(x);
  // covr: JPEG (13) or PNG (14); MP4 has no picture type or description.
  if (pictures.length)
    items.push(atom('covr', ...pictures.map((p) => data(p.mime === 'image/png' ? 14 : 13, Buffer.from(p.data)))));
  return atom('ilst', ...items);
}

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
