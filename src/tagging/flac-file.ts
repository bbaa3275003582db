/**
 * Rewrite a FLAC file's tags and pictures: the metadata blocks are rebuilt (STREAMINFO, seek table
 * and other structural blocks kept, Vorbis comment and pictures replaced, fresh padding) and the
 * audio frames are copied byte for byte.
 */
import { open } from 'node:fs/promises';
import { AudiofanError } from '../errors.js';
import type { Picture } from './picture.js';
import { flacPictureBlock, flacPictureBlockLength } from './picture.js';
import { vorbisCommentBody, type TagEntries } from './vorbis-comment.js';
import { copyTail } from './copy-tail.js';

const VORBIS_COMMENT = 4;
const PICTURE = 6;
const PADDING = 1;
/** Room left for later tag edits by other tools, as metaflac and encoders do. */
const PADDING_BYTES = 4096;

function block(type: number, body: Buffer, last: boolean): Buffer {
  if (body.length >= 1 << 24)
    throw new AudiofanError('E_OUTPUT_WRITE', `FLAC metadata block of ${body.length} bytes is over the 16 MiB limit`);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length);
  h[0] = (last ? 0x80 : 0) | type;
  return Buffer.concat([h, body]);
}

/**
 * The channel layout of a stream FLAC has no native assignment for (5.0 with back surrounds, 4.0, quad(side)…),
 * as ffmpeg's FLAC muxer records it: it describes the audio, not the music, so a tag rewrite keeps it.
 */
const MASK = 'WAVEFORMATEXTENSIBLE_CHANNEL_MASK';

/** The vendor string (it names the encoder library, not the tagger: kept) and the channel mask of a comment. */
function commentFacts(body: Buffer): { vendor?: string; mask?: string } {
  const out: { vendor?: string; mask?: string } = {};
  if (body.length < 8) return out;
  let p = 4 + body.readUInt32LE(0);
  if (p > body.length) return out;
  out.vendor = body.toString('utf8', 4, p);
  const count = p + 4 <= body.length ? body.readUInt32LE(p) : 0;
  p += 4;
  for (let i = 0; i < count && p + 4 <= body.length; i++) {
    const n = body.readUInt32LE(p);
    const e = body.toString('utf8', p + 4, Math.min(p + 4 + n, body.length));
    p += 4 + n;
    const eq = e.indexOf('=');
    if (eq > 0 && e.slice(0, eq).toUpperCase() === MASK) out.mask = e.slice(eq + 1);
  }
  return out;
}

/**
 * Padding to ask ffmpeg's FLAC muxer for (-metadata_header_padding) so these tags and pictures later fit in the
 * metadata area it writes: the tag write is then a header write in place, not a copy of the whole file. Slack
 * covers what is only known after the encode (gain tags, a channel mask) and leaves room for later retags.
 */
export function flacTagRoom(entries: TagEntries, pictures: Picture[]): number {
  const comment = vorbisCommentBody('audiofan', entries).length;
  return comment + pictures.reduce((a, p) => a + 4 + flacPictureBlockLength(p), 0) + 4096;
}

/**
 * Write `src` to `dest` with new tags and pictures (the channel mask ffmpeg wrote, if any, kept). With `inPlace`
 * (`src` is a fresh temporary of ours that nothing else reads) and the new blocks fitting in the old metadata
 * area, the header is rewritten inside `src` and `dest` is not written: returns 'in-place'.
 */
export async function writeFlacTags(
  src: string,
  dest: string,
  entries: TagEntries,
  pictures: Picture[],
  inPlace = false,
): Promise<'in-place' | undefined> {
  let vendor = 'audiofan';
  let mask: string | undefined;
  const fh = await open(src, 'r');
  const kept: Buffer[] = [];
  let offset = 4;
  try {
    const magic = Buffer.alloc(4);
    await fh.read(magic, 0, 4, 0);
    if (magic.toString('latin1') !== 'fLaC')
      throw new AudiofanError('E_OUTPUT_INVALID', `${src}: not a FLAC file`, { file: src });
    for (let last = false; !last; ) {
      const h = Buffer.alloc(4);
      if ((await fh.read(h, 0, 4, offset)).bytesRead < 4)
        throw new AudiofanError('E_OUTPUT_INVALID', `${src}: metadata ends early`, { file: src });
      last = (h[0] & 0x80) !== 0;
      const type = h[0] & 0x7f;
      const len = h.readUInt32BE(0) & 0xffffff;
      if (type === VORBIS_COMMENT) {
        const body = Buffer.alloc(len);
        await fh.read(body, 0, len, offset + 4);
        const found = commentFacts(body);
        vendor = found.vendor ?? vendor;
        mask = found.mask;
      } else if (![PICTURE, PADDING].includes(type)) {
        const body = Buffer.alloc(len);
        await fh.read(body, 0, len, offset + 4);
        kept.push(Buffer.concat([Buffer.from([type]), body]));
      }
      offset += 4 + len;
    }
  } finally {
    await fh.close();
  }
  const content = [
    ...kept.map((k) => ({ type: k[0], body: k.subarray(1) })),
    { type: VORBIS_COMMENT, body: vorbisCommentBody(vendor, mask ? [[MASK, mask], ...entries] : entries) },
    ...pictures.map((p) => ({ type: PICTURE, body: flacPictureBlock(p) })),
  ];
  // If the new blocks fit in the old metadata area, pad to exactly its size: the audio stays where
  // it is and the rewrite is a kernel copy plus a header write (see copyTail).
  const used = 4 + content.reduce((a, b) => a + 4 + b.body.length, 0) + 4;
  const padding = used <= offset ? offset - used : PADDING_BYTES;
  const blocks = [...content, { type: PADDING, body: Buffer.alloc(padding) }];
  const head = Buffer.concat([
    Buffer.from('fLaC'),
    ...blocks.map((b, i) => block(b.type, b.body, i === blocks.length - 1)),
  ]);
  if (inPlace && head.length === offset) {
    const out = await open(src, 'r+');
    try {
      await out.write(head, 0, head.length, 0);
    } finally {
      await out.close();
    }
    return 'in-place';
  }
  await copyTail(src, offset, dest, head);
  return undefined;
}
