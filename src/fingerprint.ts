/**
 * What identifies a source's audio, independent of its tags: FLAC's own STREAMINFO MD5 of the
 * decoded audio when the encoder set it (free: it is in the header), else an MD5 of the audio
 * packets as stored (ffmpeg stream copy: no decoding, tags and pictures not included).
 * Equal fingerprints on a changed file mean only its tags (or art) changed.
 */
import { ffmpegStdout } from './ffmpeg.js';

/** "flac-md5:<hex>" from FLAC's STREAMINFO, or undefined when absent or all zeros. */
export function streamInfoFingerprint(md5: Uint8Array | undefined): string | undefined {
  if (!md5 || md5.every((b) => b === 0)) return undefined;
  return `flac-md5:${Buffer.from(md5).toString('hex')}`;
}

/** "packets-md5:<hex>": MD5 of the first audio stream's packets, read by ffmpeg without decoding. */
export async function packetFingerprint(ffmpegPath: string, path: string): Promise<string> {
  const out = await ffmpegStdout(ffmpegPath, ['-i', `file:${path}`, '-map', '0:a:0', '-c', 'copy', '-f', 'md5', '-']);
  const m = /MD5=([0-9a-f]+)/.exec(out);
  if (!m) throw new Error(`no MD5 from ffmpeg for ${path}`);
  return `packets-md5:${m[1]}`;
}
