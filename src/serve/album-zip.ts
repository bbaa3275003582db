/**
 * An album as a zip, streamed: each track's output (from the cache, a seed or an encode started for it)
 * added in track order as it becomes ready, the cover image beside them. Every missing track is asked for
 * at once, so they encode in parallel, bounded by the encoder's slots. Stored, not deflated: the audio is
 * compressed already, and the zip starts flowing as soon as the first track is ready.
 */
import { open } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import { safeComponent } from '../plan/fs-profile.js';
import type { Album } from './library.js';
import type { Picture } from '../tagging/picture.js';

/** One member's file once ready (`release` says the zip no longer needs it). */
export interface Member {
  name: string;
  ready: Promise<{ path: string }>;
  release(): void;
}

/**
 * The zip stream. A track whose encode fails is left out and named, with the reason, in "NOT INCLUDED.txt"
 * at the end, so the zip stays whole. `abort` (the client went away) releases every member not yet added
 * and closes the files already opened.
 */
export function albumZip(
  members: Member[],
  cover: { picture: Picture; name: string } | undefined,
  onError: (e: Error) => void,
) {
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  let aborted = false;
  const opened: ReadStream[] = [];
  const missing: string[] = [];
  const mtime = new Date();
  const fill = async () => {
    try {
      if (cover) zip.addBuffer(Buffer.from(cover.picture.data), cover.name, { compress: false, mtime });
      for (const m of members) {
        let path: string;
        try {
          ({ path } = await m.ready);
        } catch (e) {
          if (aborted || (e as { code?: string }).code === 'E_CANCELLED') throw e;
          missing.push(`${m.name}: ${(e as Error).message}`);
          continue;
        }
        if (aborted) return;
        // Opened now: an eviction after this cannot take the file from under the zip.
        const fh = await open(path, 'r');
        const { size } = await fh.stat();
        const stream = fh.createReadStream();
        opened.push(stream);
        zip.addReadStream(stream, m.name, { compress: false, size, mtime });
        m.release();
      }
      if (missing.length)
        zip.addBuffer(Buffer.from(`Not included (could not be made):\n${missing.join('\n')}\n`), 'NOT INCLUDED.txt', {
          compress: false,
          mtime,
        });
      zip.end();
    } catch (e) {
      if (!aborted) onError(e as Error);
      // A zip cut short must not look whole: the response is destroyed, not ended.
      out.destroy(e as Error);
      for (const s of opened) s.destroy();
    } finally {
      for (const m of members) m.release();
    }
  };
  void fill();
  return {
    stream: out,
    abort() {
      aborted = true;
      for (const m of members) m.release();
      for (const s of opened) s.destroy();
    },
  };
}

/** Member names: "01 Title.ext" (disc-prefixed on multi-disc albums), valid everywhere and unique. */
export function memberNames(album: Album, ext: string): string[] {
  const seen = new Set<string>();
  const multiDisc = album.tracks.some((x) => (x.discNo ?? 1) > 1);
  return album.tracks.map((t, i) => {
    const n = `${multiDisc ? `${t.discNo ?? 1}-` : ''}${String(t.trackNo ?? i + 1).padStart(2, '0')} ${t.title}`;
    let name = safeComponent(n, 'universal', `.${ext}`);
    for (let k = 2; seen.has(name.toLowerCase()); k++) name = safeComponent(`${n} (${k})`, 'universal', `.${ext}`);
    seen.add(name.toLowerCase());
    return name;
  });
}
