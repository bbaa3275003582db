/**
 * The tag-writer contract and its one registry. Each writer says what it can carry (every field or
 * only the basic ones, a cover, which loudness tags) and, when it rewrites tags itself, how: a new
 * file at `dest` from `src` (the caller renames it into place), so a tag write is as atomic as an
 * encode. Code asks a writer what it can do; it never tests writer names.
 */
import { id3Frames } from './id3-frames.js';
import { writeFlacTags } from './flac-file.js';
import type { Id3Version } from './id3v2.js';
import { writeMp3Tags } from './mp3-file.js';
import { writeMp4Tags } from './mp4-file.js';
import { setMp3Length } from './mp3-lame-tag.js';
import { writeOpusTags, writeVorbisTags } from './ogg-opus.js';
import { flacPictureBlockLength, type Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

export type TagWriterId = 'flac' | 'opus' | 'vorbis' | 'id3v2' | 'mp4' | 'ffmpeg';

/** What goes into the file: the output's entries (Vorbis form), its pictures, and settings. */
export interface TagPayload {
  entries: TagEntries;
  pictures: Picture[];
  id3Version: Id3Version;
  /** `src` is a fresh temporary only this job sees: a writer may rewrite it in place (and say so) instead of
   *  writing `dest`. */
  inPlace?: boolean;
}

export interface TagWriterSpec {
  id: TagWriterId;
  /** all: every field, multi-valued, any length; basic: title, artist, album… one value each. */
  tags: 'all' | 'basic';
  /** Can embed a cover picture. */
  cover: boolean;
  /** Which loudness tags it writes: ReplayGain 2.0 strings, RFC 7845 R128 integers, or none. */
  gains: 'replaygain' | 'r128' | 'none';
  /**
   * Writes the tags into a copy of `src` at `dest`. Absent for writers whose tags are ffmpeg's own
   * -metadata at encode time: those outputs cannot be retagged, only re-encoded. Throws an
   * AudiofanError with its own code (E_OUTPUT_INVALID: not the file it expects) or an errno error.
   */
  // Resolves 'in-place' when it rewrote `src` itself (payload.inPlace) instead of writing `dest`.
  write?: (src: string, dest: string, payload: TagPayload) => Promise<unknown>;
  /**
   * Records in a just-encoded file the exact number of samples it holds, where ffmpeg could not (MP3:
   * the LAME tag's end padding), so gapless decoders give back the master's length. Absent where
   * ffmpeg's own header is already exact (FLAC, Ogg granule positions).
   */
  setLength?: (file: string, samples: number) => Promise<boolean>;
  /** Whether the container can store this picture (absent: any size); a cover that does not fit is made smaller. */
  pictureFits?: (p: Picture) => boolean;
  /** The limit pictureFits applies, in words, for warnings. */
  pictureLimit?: string;
}

/** FLAC: a PICTURE block's body (32 bytes of fields, MIME, description, image) must be under 2^24 bytes. */
const flacPictureFits = (p: Picture) => flacPictureBlockLength(p) < 2 ** 24;
/**
 * ID3v2: the whole tag's size is a 28-bit synchsafe number (under 256 MiB); 1 MiB is left for the
 * text frames (lyrics can be long), and UTF-16 descriptions take two bytes a unit.
 */
/**
 * Ogg (Opus, Vorbis): a comment's length is 32-bit, but the picture travels as base64 text, and a
 * JavaScript string holds at most 2^29 characters: the base64 of the whole picture block must fit.
 */
const oggPictureFits = (p: Picture) =>
  4 * Math.ceil((32 + p.mime.length + 3 * p.description.length + p.data.length) / 3) < 2 ** 29 - 2 ** 20;
const id3PictureFits = (p: Picture) =>
  64 + p.mime.length + 4 * p.description.length + p.data.length < 2 ** 28 - 2 ** 20;

export const TAG_WRITERS: Readonly<Record<TagWriterId, TagWriterSpec>> = {
  flac: {
    id: 'flac',
    tags: 'all',
    cover: true,
    gains: 'replaygain',
    write: (src, dest, p) => writeFlacTags(src, dest, p.entries, p.pictures, p.inPlace),
    pictureFits: flacPictureFits,
    pictureLimit: '16 MiB',
  },
  opus: {
    id: 'opus',
    tags: 'all',
    cover: true,
    gains: 'r128',
    write: (src, dest, p) => writeOpusTags(src, dest, p.entries, p.pictures),
    pictureFits: oggPictureFits,
    pictureLimit: '383 MiB',
  },
  // Ogg Vorbis: the same Vorbis comments as FLAC, ReplayGain included (Vorbis players read those, not R128).
  vorbis: {
    id: 'vorbis',
    tags: 'all',
    cover: true,
    gains: 'replaygain',
    write: (src, dest, p) => writeVorbisTags(src, dest, p.entries, p.pictures),
    pictureFits: oggPictureFits,
    pictureLimit: '383 MiB',
  },
  id3v2: {
    id: 'id3v2',
    tags: 'all',
    cover: true,
    gains: 'replaygain',
    write: (src, dest, p) => writeMp3Tags(src, dest, id3Frames(p.entries, p.id3Version, p.pictures), p.id3Version),
    setLength: setMp3Length,
    pictureFits: id3PictureFits,
    pictureLimit: '256 MiB',
  },
  // MP4 (AAC, ALAC): iTunes ilst items, free-form ReplayGain as foobar2000 and Picard write it.
  mp4: {
    id: 'mp4',
    tags: 'all',
    cover: true,
    gains: 'replaygain',
    write: (src, dest, p) => writeMp4Tags(src, dest, p.entries, p.pictures),
  },
  // ffmpeg keeps one string per key and cannot put a picture into Ogg (or, in 4.1, MP4): the fallback.
  ffmpeg: { id: 'ffmpeg', tags: 'basic', cover: false, gains: 'none' },
};

export function tagWriter(id: TagWriterId): TagWriterSpec {
  return TAG_WRITERS[id];
}
