/**
 * A cover that fits its container. Each tag writer states the largest picture it can store (a FLAC
 * PICTURE block holds less than 16 MiB; an ID3v2 tag less than 256 MiB); a larger cover is re-encoded
 * as JPEG, then halved in size until it fits, and left out (with a warning) only when nothing fits.
 * The output is made either way: a cover never fails an output.
 */
import type { Picture } from '../tagging/picture.js';
import { tagWriter, type TagWriterId } from '../tagging/writers.js';
import { toJpeg } from './art.js';

/** Halvings tried before the cover is left out: 2^-8 of a 65 535-pixel side is still 256 pixels. */
const MAX_HALVINGS = 8;

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const describe = (p: Picture) => `${p.width}×${p.height} ${p.mime}, ${mb(p.data.length)}`;

export interface FittedCover {
  picture?: Picture;
  /** What happened to the cover, for the output's manifest entry; absent when it went in unchanged. */
  warning?: string;
}

/** The cover each writer gets, computed once per writer and source. */
export class CoverFitter {
  private readonly done = new Map<TagWriterId, Promise<FittedCover>>();

  constructor(
    private readonly cover: Picture | undefined,
    private readonly ffmpegPath: string,
  ) {}

  for(writer: TagWriterId): Promise<FittedCover> {
    let f = this.done.get(writer);
    if (!f) {
      f = fitCover(this.cover, writer, this.ffmpegPath);
      this.done.set(writer, f);
    }
    return f;
  }
}

/** The cover as the writer can store it: unchanged when it fits, else a smaller JPEG, else none. */
export async function fitCover(
  cover: Picture | undefined,
  writer: TagWriterId,
  ffmpegPath: string,
): Promise<FittedCover> {
  const spec = tagWriter(writer);
  if (!cover || !spec.pictureFits || spec.pictureFits(cover)) return { picture: cover };
  const limit = `over the ${spec.pictureLimit ?? 'size'} limit of ${writer} tags`;
  // First the same size as JPEG (a noisy PNG or a BMP shrinks most by that alone), then halved.
  // 65 535 (JPEG's largest side) stands for "as it is" when the image's own size is unknown.
  let side = cover.width > 0 ? Math.max(cover.width, cover.height) : 65535;
  for (let i = 0; i <= MAX_HALVINGS; i++) {
    const jpeg = await toJpeg(cover, side, ffmpegPath);
    if (!jpeg) break;
    if (spec.pictureFits(jpeg))
      return { picture: jpeg, warning: `cover (${describe(cover)}) is ${limit}: stored as ${describe(jpeg)}` };
    side = Math.ceil(Math.max(jpeg.width, jpeg.height) / 2);
  }
  return { warning: `cover (${describe(cover)}) is ${limit} and could not be made to fit: left out` };
}
