/**
 * What identifies a source's audio, independent of its tags: FLAC's own STREAMINFO MD5 of the
 * decoded audio when the encoder set it (free: it is in the header), else an MD5 of the audio
 * packets as stored (ffmpeg stream copy: no decoding, tags and pictures not included).
 * Equal fingerprints on a changed file mean only its tags (or art) changed.
 */
import { open } from 'node:fs/promises';
import { ffmpegStdout } from '../ffmpeg/adapter.js';
import type { Logger } from '../model.js';
import type { PlannedSource } from '../model.js';

/**
 * "flac-md5:<hex>": the MD5 of the decoded audio that FLAC encoders store in STREAMINFO (always the
 * first metadata block, right after "fLaC"). Undefined when absent (all zeros) or not a bare FLAC.
 * Read directly: music-metadata parses it but does not expose it.
 */
export async function streamInfoFingerprint(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(42);
    const { bytesRead } = await fh.read(b, 0, 42, 0);
    if (bytesRead < 42 || b.toString('latin1', 0, 4) !== 'fLaC' || (b[4] & 0x7f) !== 0) return undefined;
    const md5 = b.subarray(26, 42);
    return md5.every((x) => x === 0) ? undefined : `flac-md5:${md5.toString('hex')}`;
  } finally {
    await fh.close();
  }
}

/** "packets-md5:<hex>": MD5 of the first audio stream's packets, read by ffmpeg without decoding. */
export async function packetFingerprint(ffmpegPath: string, path: string): Promise<string> {
  const out = await ffmpegStdout(ffmpegPath, ['-i', `file:${path}`, '-map', '0:a:0', '-c', 'copy', '-f', 'md5', '-']);
  const m = /MD5=([0-9a-f]+)/.exec(out);
  if (!m) throw new Error(`no MD5 from ffmpeg for ${path}`);
  return `packets-md5:${m[1]}`;
}

/** Fingerprint (packet MD5) the sources that have none yet: non-FLAC files, FLAC without STREAMINFO MD5. */
export async function fingerprintAll(
  sources: PlannedSource[],
  ffmpegPath: string,
  lanes: number,
  log: Logger,
): Promise<void> {
  const todo = sources.filter((s) => !s.fingerprint);
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const s = todo[next++];
      try {
        s.fingerprint = await packetFingerprint(ffmpegPath, s.path);
      } catch (e) {
        // Without a fingerprint a later change to this file is treated as an audio change: safe, only slower.
        log.warn({ event: 'fingerprint', source: s.path, error: (e as Error).message }, `cannot fingerprint ${s.path}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, todo.length) }, lane));
}
