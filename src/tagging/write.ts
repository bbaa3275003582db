/**
 * Write an output's tags and cover with the writer for its container: a new file at `dest`
 * (the caller renames it into place), so a tag write is as atomic as an encode.
 */
import { id3Frames, type TagWriter } from './compose.js';
import { writeFlacTags } from './flac-file.js';
import type { Id3Version } from './id3v2.js';
import { writeMp3Tags } from './mp3-file.js';
import { writeOpusTags } from './ogg-opus.js';
import type { Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

export async function writeTags(writer: Exclude<TagWriter, 'ffmpeg'>, src: string, dest: string, entries: TagEntries,
  pictures: Picture[], id3Version: Id3Version): Promise<void> {
  if (writer === 'flac') await writeFlacTags(src, dest, entries, pictures);
  else if (writer === 'opus') await writeOpusTags(src, dest, entries, pictures);
  else await writeMp3Tags(src, dest, id3Frames(entries, id3Version, pictures), id3Version);
}
