/**
 * An ID3v2.4 / v2.3 tag writer. v2.4 stores text as UTF-8 with multiple values NUL-separated;
 * v2.3 has no multi-value text frames, so values are joined with "/" (as MusicBrainz Picard does,
 * and as players that read v2.3 split them) and text is UTF-16.
 */
import { withoutNul } from './nul.js';
import type { Picture } from './picture.js';

export type Id3Version = 3 | 4;

/** One frame to write, before encoding. */
export type Id3Frame =
  | { id: string; kind: 'text'; values: string[] } // T??? text frames
  | { id: 'TXXX'; kind: 'txxx'; description: string; values: string[] }
  | { id: 'COMM' | 'USLT'; kind: 'lang'; description: string; text: string; lang?: string }
  | { id: 'UFID'; kind: 'ufid'; owner: string; identifier: string }
  | { id: 'TMCL' | 'IPLS'; kind: 'pairs'; pairs: [string, string][] }
  | { id: 'APIC'; kind: 'picture'; picture: Picture };

function synchsafe(n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

function enc(v: Id3Version): { byte: number; text: (s: string) => Buffer; nul: Buffer } {
  // No NUL inside a string: in a text frame it would split one value into several (see nul.ts).
  if (v === 4) return { byte: 3, text: (s) => Buffer.from(withoutNul(s), 'utf8'), nul: Buffer.from([0]) };
  // UTF-16 with BOM: the only Unicode encoding v2.3 has.
  return {
    byte: 1,
    text: (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withoutNul(s), 'utf16le')]),
    nul: Buffer.from([0, 0]),
  };
}

function body(f: Id3Frame, v: Id3Version): Buffer {
  const e = enc(v);
  const join = (values: string[]) => (v === 4 ? values.map(e.text) : [e.text(values.join('/'))]);
  const list = (bufs: Buffer[]) => Buffer.concat(bufs.flatMap((b, i) => (i ? [e.nul, b] : [b])));
  switch (f.kind) {
    case 'text':
      return Buffer.concat([Buffer.from([e.byte]), list(join(f.values))]);
    case 'txxx':
      return Buffer.concat([Buffer.from([e.byte]), e.text(f.description), e.nul, list(join(f.values))]);
    case 'lang':
      return Buffer.concat([
        Buffer.from([e.byte]),
        Buffer.from((f.lang ?? 'eng').slice(0, 3).padEnd(3, ' '), 'latin1'),
        e.text(f.description),
        e.nul,
        e.text(f.text),
      ]);
    case 'ufid':
      return Buffer.concat([Buffer.from(f.owner, 'latin1'), Buffer.from([0]), Buffer.from(f.identifier, 'latin1')]);
    case 'pairs':
      return Buffer.concat([Buffer.from([e.byte]), list(f.pairs.flat().map(e.text))]);
    case 'picture': {
      const p = f.picture;
      return Buffer.concat([
        Buffer.from([e.byte]),
        Buffer.from(p.mime, 'latin1'),
        Buffer.from([0]),
        Buffer.from([p.type]),
        e.text(p.description),
        e.nul,
        p.data,
      ]);
    }
  }
}

/**
 * A complete ID3v2 tag (header, frames, padding). With `totalSize`, the padding is chosen so the
 * tag is exactly that long when the frames fit (a retag then keeps the audio where it is).
 */
export function id3v2Tag(frames: Id3Frame[], v: Id3Version, padding = 1024, totalSize?: number): Buffer {
  const encoded = frames.map((f) => {
    const b = body(f, v);
    const h = Buffer.alloc(10);
    h.write(f.id, 0, 'latin1');
    if (v === 4) synchsafe(b.length).copy(h, 4);
    else h.writeUInt32BE(b.length, 4);
    return Buffer.concat([h, b]);
  });
  const framesLength = encoded.reduce((a, b) => a + b.length, 0);
  if (totalSize !== undefined && 10 + framesLength <= totalSize) padding = totalSize - 10 - framesLength;
  const content = Buffer.concat([...encoded, Buffer.alloc(padding)]);
  // The size is a 28-bit synchsafe number: a larger tag would wrap around and corrupt the file.
  if (content.length >= 2 ** 28)
    throw new RangeError(`an ID3v2 tag of ${content.length} bytes is over its 256 MiB limit`);
  return Buffer.concat([Buffer.from('ID3'), Buffer.from([v, 0, 0]), synchsafe(content.length), content]);
}

/** Size of an ID3v2 tag at the start of `head` (0 when there is none). */
export function id3v2Size(head: Buffer): number {
  if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}
