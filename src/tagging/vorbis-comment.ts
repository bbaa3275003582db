/**
 * Vorbis comments: the tag format of FLAC and Ogg Opus. Every value is its own KEY=value entry,
 * so multi-valued fields stay multi-valued, and nothing limits a value's length.
 */
import { flacPictureBlock, type Picture } from './picture.js';

/** Ordered tag entries: [KEY, value], KEY upper-case; the same key may repeat. */
export type TagEntries = [string, string][];

/** The comment structure (vendor, count, entries), without FLAC block header or Opus magic. */
export function vorbisCommentBody(vendor: string, entries: TagEntries, pictures: Picture[] = []): Buffer {
  const all = [
    ...entries.map(([k, v]) => `${k}=${v}`),
    // Ogg has no picture block: covers travel as base64 FLAC picture blocks in a comment.
    ...pictures.map((p) => `METADATA_BLOCK_PICTURE=${flacPictureBlock(p).toString('base64')}`),
  ];
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const v = Buffer.from(vendor, 'utf8');
  parts.push(u32(v.length), v, u32(all.length));
  for (const e of all) {
    const b = Buffer.from(e, 'utf8');
    parts.push(u32(b.length), b);
  }
  return Buffer.concat(parts);
}
