/**
 * A source's tags as ffmpeg reports them (`ffmpeg -i`), as canonical entries: the fallback for masters whose tags
 * music-metadata cannot read. ffmpeg names most fields the same way in every container (its generic names: title,
 * album_artist, track "3/12"…); Vorbis-comment keys come through as they are.
 */
import { NOT_CARRIED } from './fields.js';
import type { TagEntries } from './vorbis-comment.js';

/** ffmpeg's generic names (lower case) -> canonical keys; anything else is upper-cased as it is. */
const FROM_FFMPEG: Record<string, string> = {
  album_artist: 'ALBUMARTIST',
  'album artist': 'ALBUMARTIST',
  track: 'TRACKNUMBER',
  disc: 'DISCNUMBER',
  tracktotal: 'TRACKTOTAL',
  disctotal: 'DISCTOTAL',
  totaltracks: 'TRACKTOTAL',
  totaldiscs: 'DISCTOTAL',
  year: 'DATE',
  creation_time: '',
  encoder: '',
  encoded_by: 'ENCODEDBY',
  lyrics: 'LYRICS',
  compilation: 'COMPILATION',
  icmt: 'COMMENT',
  isrc: 'ISRC',
  // WAV INFO and BWF chunk fields ffmpeg exposes under technical names.
  coding_history: '',
  time_reference: '',
  umid: '',
  origination_date: '',
  origination_time: '',
  originator: '',
  originator_reference: '',
  major_brand: '',
  minor_version: '',
  compatible_brands: '',
  handler_name: '',
  vendor_id: '',
};

/** Canonical entries from ffmpeg's tags: "n/N" numbers split, container bookkeeping dropped. */
export function ffmpegTagEntries(tags: Record<string, string>): TagEntries {
  const out: TagEntries = [];
  for (const [raw, value] of Object.entries(tags)) {
    const mapped = FROM_FFMPEG[raw.toLowerCase()];
    const key = mapped ?? raw.toUpperCase().replace(/\s+/g, '_');
    if (!key || value.trim() === '' || NOT_CARRIED.has(key)) continue;
    const n = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
    if (n && (key === 'TRACKNUMBER' || key === 'DISCNUMBER')) {
      out.push([key, n[1]], [key === 'TRACKNUMBER' ? 'TRACKTOTAL' : 'DISCTOTAL', n[2]]);
      continue;
    }
    // ffmpeg joins a repeated key's values with ';', indistinguishable from a ';' inside one value: kept as one.
    out.push([key, value]);
  }
  return out;
}
