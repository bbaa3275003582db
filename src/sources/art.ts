/**
 * Cover art: which picture is the front cover, and its bytes (scaled down when asked).
 * Choice: an embedded picture whose type is front cover; else a folder image (cover.*,
 * folder.*, front.*, any case); else none. An embedded picture of another type is not a cover.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { IPicture } from 'music-metadata';
import { removeTemps } from '../store/atomic.js';
import { runFfmpeg } from '../ffmpeg/adapter.js';
import { readAudioMetadata } from './read-metadata.js';
import { statOrUndefined } from './scan.js';
import { FRONT_COVER, imageInfo, pictureFrom, type Picture } from '../tagging/picture.js';

export type CoverRef =
  | { from: 'embedded'; index: number }
  | { from: 'folder'; path: string; size: number; mtimeMs: number };

const FOLDER_NAMES = ['cover', 'folder', 'front'];
const IMAGE_EXT = ['jpg', 'jpeg', 'png'];

/** The folder image of a directory, if it has one (preference: cover, folder, front). */
export async function findFolderImage(dir: string): Promise<CoverRef | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const base of FOLDER_NAMES) {
    const name = names.find((n) => {
      const [b, e, ...rest] = n.toLowerCase().split('.');
      return !rest.length && b === base && IMAGE_EXT.includes(e);
    });
    if (name) {
      const st = await stat(join(dir, name)).catch(() => undefined);
      if (st?.isFile() && st.size > 0)
        return { from: 'folder', path: join(dir, name), size: st.size, mtimeMs: st.mtimeMs };
    }
  }
  return undefined;
}

/** Folder images from a scan's file list (no extra directory reads): folder -> its image. */
export function folderImagesFromScan(paths: string[]): Map<string, CoverRef | undefined> {
  const best = new Map<string, { rank: number; path: string }>();
  for (const p of paths) {
    const name = basename(p).toLowerCase();
    const [b, e, ...rest] = name.split('.');
    const rank = FOLDER_NAMES.indexOf(b);
    if (rest.length || rank < 0 || !IMAGE_EXT.includes(e)) continue;
    const dir = dirname(p);
    const cur = best.get(dir);
    if (!cur || rank < cur.rank) best.set(dir, { rank, path: p });
  }
  const out = new Map<string, CoverRef | undefined>();
  for (const [dir, { path }] of best) {
    const st = statOrUndefined(path); // undefined: vanished since the scan, so no folder image
    if (st?.isFile() && st.size > 0) out.set(dir, { from: 'folder', path, size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

/** Pick the front cover: by picture type, never just the first picture. */
export function chooseCover(pictures: IPicture[] | undefined, folder: CoverRef | undefined): CoverRef | undefined {
  const front = (pictures ?? []).findIndex((p) => /^cover \(front\)$/i.test(p.type ?? ''));
  return front >= 0 ? { from: 'embedded', index: front } : folder;
}

/** What identifies the art an output gets (for deciding whether to retag). */
export function artIdentity(ref: CoverRef | undefined, maxSize: number | undefined): string {
  if (!ref) return 'none';
  const size = maxSize ? `@${maxSize}` : '';
  return ref.from === 'embedded'
    ? `embedded:${ref.index}${size}`
    : `folder:${ref.path}:${ref.size}:${ref.mtimeMs}${size}`;
}

/** Load the cover for a source, scaled down (JPEG, aspect kept) when larger than maxSize. */
export async function loadCover(
  sourcePath: string,
  ref: CoverRef,
  maxSize: number | undefined,
  ffmpegPath: string,
): Promise<Picture | undefined> {
  let picture: Picture;
  if (ref.from === 'embedded') {
    const p = (await readAudioMetadata(sourcePath)).common.picture?.[ref.index];
    if (!p) return undefined;
    picture = pictureFrom(p.data, FRONT_COVER, p.description ?? '', p.format || undefined);
  } else {
    picture = pictureFrom(await readFile(ref.path), FRONT_COVER, '');
  }
  if (!maxSize || (picture.width <= maxSize && picture.height <= maxSize && picture.width > 0)) return picture;
  return (await toJpeg(picture, maxSize, ffmpegPath)) ?? picture;
}

/**
 * The picture re-encoded as a high-quality JPEG whose longer side is at most `maxSide` pixels (aspect
 * kept; never enlarged), or undefined when ffmpeg cannot read the image or makes no JPEG of it.
 */
export async function toJpeg(picture: Picture, maxSide: number, ffmpegPath: string): Promise<Picture | undefined> {
  const tmp = join(tmpdir(), `audiofan-art-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(`${tmp}.in`, picture.data);
    // min(): a picture already smaller than maxSide keeps its size (only its encoding changes).
    const side = `'min(${maxSide},max(iw,ih))'`;
    await runFfmpeg(ffmpegPath, [
      '-i',
      `file:${tmp}.in`,
      '-vf',
      `scale=${side}:${side}:force_original_aspect_ratio=decrease`,
      '-pix_fmt',
      'yuvj420p',
      '-q:v',
      '2',
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-c:v',
      'mjpeg',
      `file:${tmp}.jpg`,
    ]);
    const data = await readFile(`${tmp}.jpg`);
    return imageInfo(data) ? pictureFrom(data, picture.type, picture.description, 'image/jpeg') : undefined;
  } catch {
    return undefined;
  } finally {
    await removeTemps(`${tmp}.in`, `${tmp}.jpg`);
  }
}
