/**
 * The tag-map table: how each basic field is spelled in each container's tag style, as data.
 * Values are passed to ffmpeg as `-metadata KEY=value`, one argv element each.
 */
import type { TagStyle } from './containers.js';
import type { BasicTags } from './probe.js';

type Field = 'title' | 'artist' | 'album' | 'albumartist' | 'date' | 'genre';

interface StyleMap {
  fields: Record<Field, string>;
  /** 'split': TRACKNUMBER=3 + TRACKTOTAL=12 (Vorbis); 'combined': track=3/12 (ID3 TRCK, MP4 trkn). */
  numbers: { style: 'split'; track: string; tracktotal: string; disc: string; disctotal: string } | { style: 'combined'; track: string; disc: string };
}

export const tagMap: Readonly<Record<TagStyle, StyleMap>> = {
  // Upper-case native Vorbis names are written as given; ffmpeg only renames its generic keys.
  vorbis: {
    fields: { title: 'TITLE', artist: 'ARTIST', album: 'ALBUM', albumartist: 'ALBUMARTIST', date: 'DATE', genre: 'GENRE' },
    numbers: { style: 'split', track: 'TRACKNUMBER', tracktotal: 'TRACKTOTAL', disc: 'DISCNUMBER', disctotal: 'DISCTOTAL' },
  },
  // ffmpeg's generic keys, which its mp3 muxer maps to TIT2, TPE1, TALB, TPE2, TDRC, TCON, TRCK, TPOS.
  id3v2: {
    fields: { title: 'title', artist: 'artist', album: 'album', albumartist: 'album_artist', date: 'date', genre: 'genre' },
    numbers: { style: 'combined', track: 'track', disc: 'disc' },
  },
  mp4: {
    fields: { title: 'title', artist: 'artist', album: 'album', albumartist: 'album_artist', date: 'date', genre: 'genre' },
    numbers: { style: 'combined', track: 'track', disc: 'disc' },
  },
};

/** A single argv string is limited to 128 KiB on Linux; longer values are dropped with a warning. */
const MAX_VALUE_BYTES = 64 * 1024;

function numberPair(n?: number, of?: number): string | undefined {
  if (n === undefined) return undefined;
  return of !== undefined ? `${n}/${of}` : String(n);
}

/** `-metadata` arguments for one output, plus warnings for anything that could not be carried. */
export function tagArgs(style: TagStyle, tags: BasicTags): { args: string[]; warnings: string[] } {
  const map = tagMap[style];
  const pairs: [string, string | undefined][] = (Object.keys(map.fields) as Field[]).map((f) => [map.fields[f], tags[f]]);
  const nums = map.numbers;
  if (nums.style === 'split') {
    pairs.push([nums.track, tags.track?.toString()], [nums.tracktotal, tags.tracktotal?.toString()],
      [nums.disc, tags.disc?.toString()], [nums.disctotal, tags.disctotal?.toString()]);
  } else {
    pairs.push([nums.track, numberPair(tags.track, tags.tracktotal)], [nums.disc, numberPair(tags.disc, tags.disctotal)]);
  }
  const args: string[] = [];
  const warnings: string[] = [];
  for (const [key, value] of pairs) {
    if (value === undefined) continue;
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      warnings.push(`tag ${key} dropped: its value is ${Buffer.byteLength(value)} bytes`);
      continue;
    }
    args.push('-metadata', `${key}=${value}`);
  }
  return { args, warnings };
}
