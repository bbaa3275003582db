/**
 * A WAVE_FORMAT_EXTENSIBLE writer for tests, so a file can carry any channel mask (an FL-only mono, a mask of 0)
 * whatever the ffmpeg at hand would write.
 */
import { writeFile } from 'node:fs/promises';

/** Speaker bits of dwChannelMask (Microsoft's KSAUDIO_SPEAKER_* values). */
export const SPEAKER = { FL: 0x1, FR: 0x2, FC: 0x4, LFE: 0x8, BL: 0x10, BR: 0x20, SL: 0x200, SR: 0x400 } as const;

/** KSDATAFORMAT_SUBTYPE_PCM. */
const PCM_GUID = Buffer.from('0100000000001000800000aa00389b71', 'hex');

/**
 * Write 16-bit PCM in an extensible header: `channels` channels, `mask` as dwChannelMask, one second at `rate`,
 * a 440 Hz sine at -12 dBFS in channel `loud` (default 0) and silence elsewhere.
 */
export async function writeWaveExtensible(
  path: string,
  o: { channels: number; mask: number; rate?: number; seconds?: number; loud?: number },
): Promise<string> {
  const rate = o.rate ?? 48000;
  const frames = Math.round(rate * (o.seconds ?? 1));
  const ch = o.channels;
  const data = Buffer.alloc(frames * ch * 2);
  for (let i = 0; i < frames; i++)
    data.writeInt16LE(Math.round(8192 * Math.sin((2 * Math.PI * 440 * i) / rate)), (i * ch + (o.loud ?? 0)) * 2);
  const fmt = Buffer.alloc(48);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(40, 4);
  fmt.writeUInt16LE(0xfffe, 8); // WAVE_FORMAT_EXTENSIBLE
  fmt.writeUInt16LE(ch, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * ch * 2, 16);
  fmt.writeUInt16LE(ch * 2, 20);
  fmt.writeUInt16LE(16, 22);
  fmt.writeUInt16LE(22, 24); // cbSize
  fmt.writeUInt16LE(16, 26); // wValidBitsPerSample
  fmt.writeUInt32LE(o.mask >>> 0, 28);
  PCM_GUID.copy(fmt, 32);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + fmt.length + 8 + data.length, 4);
  riff.write('WAVE', 8, 'latin1');
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(data.length, 4);
  await writeFile(path, Buffer.concat([riff, fmt, dataHeader, data]));
  return path;
}
