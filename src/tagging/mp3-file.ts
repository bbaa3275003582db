/**
 * Rewrite an MP3 file's ID3v2 tag: any existing tag at the start is dropped (ffmpeg is told to
 * write none) and ours is put in front of the audio, which is copied byte for byte.
 */
import { open } from 'node:fs/promises';
import { copyTail } from './copy-tail.js';
import { id3v2Size, id3v2Tag, type Id3Frame, type Id3Version } from './id3v2.js';

export async function writeMp3Tags(src: string, dest: string, frames: Id3Frame[], version: Id3Version): Promise<void> {
  const fh = await open(src, 'r');
  const head = Buffer.alloc(10);
  try {
    await fh.read(head, 0, 10, 0);
  } finally {
    await fh.close();
  }
  const old = id3v2Size(head);
  // Reuse the old tag's size when the new frames fit in it (footer-less tags only, as written here).
  const fits = old > 0 && (head[5] & 0x10) === 0 ? old : undefined;
  await copyTail(src, old, dest, id3v2Tag(frames, version, 1024, fits));
}
