/**
 * The exact length of an MP3, in its LAME (Info/Xing) tag: gapless decoders play frames × samples per
 * frame minus the encoder delay and the end padding it records. ffmpeg's libmp3lame wrapper can only
 * trim within the last packet, so when LAME's flush adds a whole frame of silence (1 sample, 1152 + 1,
 * 1152·k + 1 samples…) the padding ffmpeg writes is up to 1152 samples short and the decoded track
 * comes out longer than its master. Given the sample count the encoder was fed, this sets the padding
 * that makes it exact and recomputes the tag's CRC; nothing else in the file changes.
 */
import { open } from 'node:fs/promises';
import { id3v2Size } from './id3v2.js';

/** ffmpeg's CRC-16/ANSI, reflected (poly 0xA001), initial 0: the LAME tag's own checksum. */
function crc16(data: Uint8Array): number {
  let c = 0;
  for (const x of data) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  }
  return c;
}

/** Where the LAME tag fields sit in an Info/Xing frame, or undefined when there is none. */
export function lameTagLayout(frame: Buffer): { frames: number; spf: number; lame: number } | undefined {
  if (frame.length < 4 || frame[0] !== 0xff || (frame[1] & 0xe0) !== 0xe0 || ((frame[1] >> 1) & 3) !== 1)
    return undefined; // not a Layer III frame header
  const mpeg1 = (frame[1] & 0x18) === 0x18;
  const mono = frame[3] >> 6 === 3;
  const xing = 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
  const magic = frame.toString('latin1', xing, xing + 4);
  if (magic !== 'Xing' && magic !== 'Info') return undefined;
  const flags = frame.readUInt32BE(xing + 4);
  if (!(flags & 1)) return undefined; // no frame count: no exact length can be stated
  const frames = frame.readUInt32BE(xing + 8);
  const lame = xing + 8 + [1, 2, 4, 8].reduce((n, bit) => n + (flags & bit ? (bit === 4 ? 100 : 4) : 0), 0);
  if (lame + 36 > frame.length || !/^(LAME|Lavc|Lavf)/.test(frame.toString('latin1', lame, lame + 4))) return undefined;
  return { frames, spf: mpeg1 ? 1152 : 576, lame };
}

/**
 * Make the MP3 at `path` decode to exactly `samples` samples (per channel) in gapless decoders, by
 * setting its LAME tag's end padding. Returns false, changing nothing, when the file has no LAME tag
 * with a frame count or the count cannot be stated in it (a padding outside 0–4095).
 */
export async function setMp3Length(path: string, samples: number): Promise<boolean> {
  const fh = await open(path, 'r+');
  try {
    const id3 = Buffer.alloc(10);
    await fh.read(id3, 0, 10, 0);
    const start = id3v2Size(id3);
    const frame = Buffer.alloc(512);
    await fh.read(frame, 0, frame.length, start);
    const at = lameTagLayout(frame);
    if (!at) return false;
    const v = frame.readUIntBE(at.lame + 21, 3);
    const delay = v >> 12;
    const padding = at.frames * at.spf - delay - samples;
    if (padding < 0 || padding > 4095) return false;
    if (padding === (v & 0xfff)) return true;
    frame.writeUIntBE((delay << 12) | padding, at.lame + 21, 3);
    // The tag's CRC covers the frame up to the CRC itself, as LAME defines it and ffmpeg's demuxer checks it.
    frame.writeUInt16BE(crc16(frame.subarray(0, at.lame + 34)), at.lame + 34);
    await fh.write(frame, at.lame + 21, 15, start + at.lame + 21);
    return true;
  } finally {
    await fh.close();
  }
}
