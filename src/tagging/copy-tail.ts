import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** Write `head`, then the bytes of `src` from `start` on, to `dest` (streamed: files can be large). */
export async function copyTail(src: string, start: number, dest: string, head: Uint8Array): Promise<void> {
  const out = createWriteStream(dest);
  await new Promise<void>((res, rej) => out.write(head, (e) => (e ? rej(e) : res())));
  await pipeline(createReadStream(src, { start }), out);
}
