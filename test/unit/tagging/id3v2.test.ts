/**
 * tagging/id3v2.ts: the bytes of an ID3v2.4 / v2.3 tag (header, frame sizes, text encodings, padding) and reading its size back.
 */
import { describe, expect, it } from 'vitest';
import { id3v2Size, id3v2Tag, type Id3Frame, type Id3Version } from '../../../src/tagging/id3v2.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const u16 = (s: string) => `fffe${Buffer.from(s, 'utf16le').toString('hex')}`; // v2.3 strings: BOM + UTF-16LE
const frameBody = (f: Id3Frame, v: Id3Version) => id3v2Tag([f], v, 0).subarray(20);
const txt = (id: string, ...values: string[]): Id3Frame => ({ id, kind: 'text', values });

describe('id3v2Tag: whole tags', () => {
  it.each([
    ['v2.4: header, synchsafe sizes, UTF-8 text', 4, '494433 04 00 00 0000000c  54495432 00000002 0000  03 54'],
    [
      'v2.3: header, plain frame size, UTF-16 text with BOM',
      3,
      '494433 03 00 00 0000000f  54495432 00000005 0000  01 fffe 5400',
    ],
  ] as [string, Id3Version, string][])('%s', (_n, v, want) => {
    expect(id3v2Tag([txt('TIT2', 'T')], v, 0)).toEqual(hex(want));
  });

  it.each([
    // 200 characters: v2.4 body 201 bytes = synchsafe 00 00 01 49; v2.3 body 1 + 2 + 400 = 403 bytes = plain 00 00 01 93.
    ['v2.4 frame sizes are synchsafe', 4, '00000149'],
    ['v2.3 frame sizes are plain 32-bit', 3, '00000193'],
  ] as [string, Id3Version, string][])('%s', (_n, v, size) => {
    expect(
      id3v2Tag([txt('TIT2', 'a'.repeat(200))], v, 0)
        .subarray(14, 18)
        .toString('hex'),
    ).toBe(size);
  });

  it.each([
    ['default padding: 1024 zero bytes', [], 1024, 10 + 12 + 1024],
    ['no padding', [0], 0, 10 + 12],
    ['totalSize: padded to exactly that length', [0, 300], 300 - 22, 300],
    ['totalSize the frames just fill', [0, 22], 0, 22],
    ['totalSize too small: the frames are kept whole, with the padding given', [64, 21], 64, 10 + 12 + 64],
  ] as [string, [number?, number?], number, number][])('%s', (_n, [padding, total], pad, length) => {
    const tag = id3v2Tag([txt('TIT2', 'T')], 4, padding, total);
    expect(tag.length).toBe(length);
    expect(tag.subarray(22)).toEqual(Buffer.alloc(pad));
    expect(id3v2Size(tag)).toBe(length);
  });

  it("a large tag's size uses all four synchsafe bytes", () => {
    const tag = id3v2Tag([], 4, 3_000_000); // 3,000,000 = 1·2^21 + 55·2^14 + 13·2^7 + 64
    expect(tag.subarray(6, 10).toString('hex')).toBe('01370d40');
    expect(id3v2Size(tag)).toBe(3_000_010);
  });
});

describe('id3v2Tag: frame bodies', () => {
  const picture = {
    type: 3,
    mime: 'image/png',
    description: 'd',
    width: 1,
    height: 1,
    depth: 24,
    colors: 0,
    data: new Uint8Array([0xaa, 0xbb]),
  };
  it.each([
    ['text, v2.4: values NUL-separated', txt('TPE1', 'A', 'B'), 4, `03 41 00 42`],
    ['text, v2.3: values joined with "/"', txt('TPE1', 'A', 'B'), 3, `01 ${u16('A/B')}`],
    ['TXXX, v2.4', { id: 'TXXX', kind: 'txxx', description: 'K', values: ['a', 'b'] }, 4, `03 4b 00 61 00 62`],
    [
      'TXXX, v2.3: each string with its BOM, UTF-16 NUL',
      { id: 'TXXX', kind: 'txxx', description: 'K', values: ['a', 'b'] },
      3,
      `01 ${u16('K')} 0000 ${u16('a/b')}`,
    ],
    [
      'COMM: language "eng" by default',
      { id: 'COMM', kind: 'lang', description: '', text: 'hi' },
      4,
      `03 ${ascii('eng')} 00 ${ascii('hi')}`,
    ],
    [
      'COMM: a short language padded, a long one cut',
      { id: 'COMM', kind: 'lang', description: 'x', text: 'y', lang: 'fr' },
      4,
      `03 ${ascii('fr ')} 78 00 79`,
    ],
    [
      'USLT, v2.3',
      { id: 'USLT', kind: 'lang', description: '', text: 'la', lang: 'deutsch' },
      3,
      `01 ${ascii('deu')} fffe 0000 ${u16('la')}`,
    ],
    [
      'UFID: Latin-1 owner, NUL, identifier; no encoding byte',
      { id: 'UFID', kind: 'ufid', owner: 'http://musicbrainz.org', identifier: 'abc' },
      4,
      `${ascii('http://musicbrainz.org')} 00 ${ascii('abc')}`,
    ],
    [
      'TMCL: pairs flattened, NUL-separated',
      {
        id: 'TMCL',
        kind: 'pairs',
        pairs: [
          ['piano', 'Jo'],
          ['bass', 'Bo'],
        ],
      },
      4,
      `03 ${ascii('piano')} 00 ${ascii('Jo')} 00 ${ascii('bass')} 00 ${ascii('Bo')}`,
    ],
    [
      'APIC: encoding, MIME, type, description, data',
      { id: 'APIC', kind: 'picture', picture },
      4,
      `03 ${ascii('image/png')} 00 03 64 00 aabb`,
    ],
    ['non-ASCII text, v2.4: UTF-8', txt('TIT2', 'Jóga'), 4, `03 ${Buffer.from('Jóga').toString('hex')}`],
  ] as [string, Id3Frame, Id3Version, string][])('%s', (_n, f, v, want) => {
    expect(frameBody(f, v)).toEqual(hex(want));
  });
});

describe('id3v2Size', () => {
  it.each([
    ['a tag we wrote: its full length', id3v2Tag([txt('TIT2', 'T')], 3, 100), 10 + 15 + 100],
    ['a footer adds 10 bytes', hex('494433 04 00 10 00000200'), 10 + 256 + 10],
    ['synchsafe bytes: the high bit of each is ignored', hex('494433 04 00 00 80808081'), 10 + 1],
    ['no "ID3" at the start: 0', hex('fffb9064 000000000000'), 0],
    ['fewer than 10 bytes: 0', hex('494433 04 00 00 00'), 0],
  ] as [string, Buffer, number][])('%s', (_n, head, want) => {
    expect(id3v2Size(head)).toBe(want);
  });
});
