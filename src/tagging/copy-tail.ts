/** Write a new head followed by the rest of an existing file: the byte mover behind every tag writer. */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/**
 * Write `head`, then the bytes of `src` from `start` on, to `dest`. When the new head is exactly as
 * long as the old one (tag writers size their padding for this), the file is copied by the kernel
 * (copy_file_range, or a reflink) and only the head is overwritten: a retag then costs almost no I/O.
 * Rejects on any read or write error (a full disk); the caller removes `dest`.
 */
export async function copyTail(src: string, start: number, dest: string, head: Uint8Array): Promise<void> {
  if (head.length === start) {
    await copyFile(src, dest);
    const fh = await open(dest, 'r+');
    try {
      await fh.write(head, 0, head.length, 0);
    } finally {
      await fh.close();
    }
    return;
  }
  // Streamed in large chunks: outputs can be hundreds of MB. The head goes through the pipeline too:
  // pipeline listens for 'error' on every stream, and a write stream nobody listens to turns ENOSPC
  // into an uncaught exception that kills the worker thread.
  await pipeline(
    async function* () {
      yield head;
      yield* createReadStream(src, { start, highWaterMark: 1 << 20 });
    },
    createWriteStream(dest, { highWaterMark: 1 << 20 }),
  );
}
