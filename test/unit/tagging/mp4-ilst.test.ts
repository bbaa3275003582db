/**
 * tagging/mp4-ilst.ts: the ilst items an MP4 output gets (the file rewrite itself is tested end to end).
 */
import { describe, expect, it } from 'vitest';
import { ilst } from '../../../src/tagging/mp4-ilst.js';
import { pictureFrom } from '../../../src/tagging/picture.js';

/** ilst's items as [type, payloads of their data atoms]. */
function items(b: Buffer): [string, Buffer[]][] {
  const out: [string, Buffer[]][] = [];
  for (let o = 8; o < b.length; ) {
    const size = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    const datas: Buffer[] = [];
    for (let p = o + 8; p < o + size; ) {
      const s = b.readUInt32BE(p);
      if (b.toString('latin1', p + 4, p + 8) === 'data') datas.push(b.subarray(p + 16, p + s));
      else datas.push(b.subarray(p + 12, p + s)); // mean / name: full boxes
      p += s;
    }
    out.push([type, datas]);
    o += size;
  }
  return out;
}

describe('ilst', () => {
  const list = items(
    ilst(
      [
        ['TITLE', 'T'],
        ['GENRE', 'Jazz'],
        ['GENRE', 'Fusion'],
        ['TRACKNUMBER', '5'],
        ['TRACKTOTAL', '41'],
        ['DISCNUMBER', '1/2'],
        ['COMMENT', 'c'],
        ['DESCRIPTION', 'd'],
        ['REPLAYGAIN_TRACK_GAIN', '-3.00 dB'],
        ['LABEL', 'L'],
      ],
      [pictureFrom(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 3, '', 'image/png')],
    ),
  );
  const get = (t: string) => list.filter(([type]) => type === t).map(([, d]) => d);

  it('text atoms, several values as several data atoms', () => {
    expect(get('©nam')).toEqual([[Buffer.from('T')]]);
    expect(get('©gen')).toEqual([[Buffer.from('Jazz'), Buffer.from('Fusion')]]);
  });
  it('COMMENT and DESCRIPTION share one ©cmt atom', () => {
    expect(get('©cmt')).toEqual([[Buffer.from('c'), Buffer.from('d')]]);
  });
  it('trkn and disk hold number and total as 16-bit integers', () => {
    expect(get('trkn')).toEqual([[Buffer.from([0, 0, 0, 5, 0, 41, 0, 0])]]);
    expect(get('disk')).toEqual([[Buffer.from([0, 0, 0, 1, 0, 2])]]);
  });
  it('free-form items under com.apple.iTunes, named as Picard names them', () => {
    const ff = get('----').map((d) => d.map((x) => x.toString()));
    expect(ff).toContainEqual(['com.apple.iTunes', 'replaygain_track_gain', '-3.00 dB']);
    expect(ff).toContainEqual(['com.apple.iTunes', 'LABEL', 'L']);
  });
  it('the cover as covr', () => {
    expect(get('covr')).toEqual([[Buffer.from([0x89, 0x50, 0x4e, 0x47])]]);
  });
});
