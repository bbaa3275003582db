/**
 * A source's tags as canonical entries ([KEY, value], Picard's Vorbis names). Vorbis-comment
 * sources (FLAC, Ogg) are read verbatim: every key, every value, unknown keys too. Other
 * containers go through music-metadata's common fields plus their unknown native fields.
 */
import type { IAudioMetadata } from 'music-metadata';
import { ID3_RULES, NOT_CARRIED } from './fields.js';
import { withoutNul } from './nul.js';
import type { TagEntries } from './vorbis-comment.js';

/** A tag value as one string; a NUL inside is never a value separator (see nul.ts). */
const str = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return withoutNul(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'text' in (v as object)) return withoutNul(String((v as { text: unknown }).text));
  return undefined;
};

/** music-metadata common field -> canonical key, for sources without Vorbis comments. */
const FROM_COMMON: [string, string][] = [
  ['title', 'TITLE'],
  ['artist', 'ARTIST'],
  ['artists', 'ARTISTS'],
  ['album', 'ALBUM'],
  ['albumartist', 'ALBUMARTIST'],
  ['date', 'DATE'],
  ['originaldate', 'ORIGINALDATE'],
  ['genre', 'GENRE'],
  ['composer', 'COMPOSER'],
  ['lyricist', 'LYRICIST'],
  ['conductor', 'CONDUCTOR'],
  ['remixer', 'REMIXER'],
  ['comment', 'COMMENT'],
  ['lyrics', 'LYRICS'],
  ['label', 'LABEL'],
  ['catalognumber', 'CATALOGNUMBER'],
  ['barcode', 'BARCODE'],
  ['isrc', 'ISRC'],
  ['bpm', 'BPM'],
  ['grouping', 'GROUPING'],
  ['subtitle', 'SUBTITLE'],
  ['media', 'MEDIA'],
  ['copyright', 'COPYRIGHT'],
  ['artistsort', 'ARTISTSORT'],
  ['albumartistsort', 'ALBUMARTISTSORT'],
  ['albumsort', 'ALBUMSORT'],
  ['titlesort', 'TITLESORT'],
  ['composersort', 'COMPOSERSORT'],
  ['musicbrainz_recordingid', 'MUSICBRAINZ_TRACKID'],
  ['musicbrainz_trackid', 'MUSICBRAINZ_RELEASETRACKID'],
  ['musicbrainz_albumid', 'MUSICBRAINZ_ALBUMID'],
  ['musicbrainz_artistid', 'MUSICBRAINZ_ARTISTID'],
  ['musicbrainz_albumartistid', 'MUSICBRAINZ_ALBUMARTISTID'],
  ['musicbrainz_releasegroupid', 'MUSICBRAINZ_RELEASEGROUPID'],
  ['musicbrainz_workid', 'MUSICBRAINZ_WORKID'],
  ['musicbrainz_discid', 'MUSICBRAINZ_DISCID'],
  ['releasestatus', 'RELEASESTATUS'],
  ['releasetype', 'RELEASETYPE'],
  ['releasecountry', 'RELEASECOUNTRY'],
  ['asin', 'ASIN'],
  ['script', 'SCRIPT'],
];

/** Known ID3 user-text descriptions (lower case), so only truly unknown TXXX fields pass through raw. */
const KNOWN_TXXX = new Set(Object.values(ID3_RULES).flatMap((r) => ('txxx' in r ? [r.txxx.toLowerCase()] : [])));

export function sourceTagEntries(meta: IAudioMetadata): TagEntries {
  const vorbis = meta.native.vorbis;
  if (vorbis?.length) {
    return vorbis
      .map(({ id, value }) => [id.toUpperCase(), str(value)] as const)
      .filter((e): e is [string, string] => e[1] !== undefined && !NOT_CARRIED.has(e[0]));
  }
  const out: TagEntries = [];
  const c = meta.common as unknown as Record<string, unknown>;
  for (const [field, key] of FROM_COMMON) {
    const v = c[field];
    for (const x of Array.isArray(v) ? v : [v]) {
      const s = str(x);
      if (s !== undefined && s !== '') out.push([key, s]);
    }
  }
  if (meta.common.track.no) out.push(['TRACKNUMBER', String(meta.common.track.no)]);
  if (meta.common.track.of) out.push(['TRACKTOTAL', String(meta.common.track.of)]);
  if (meta.common.disk.no) out.push(['DISCNUMBER', String(meta.common.disk.no)]);
  if (meta.common.disk.of) out.push(['DISCTOTAL', String(meta.common.disk.of)]);
  if (meta.common.compilation) out.push(['COMPILATION', '1']);
  // Unknown user fields: ID3 TXXX:<desc>, APEv2 and iTunes free-form keys.
  for (const tags of Object.values(meta.native)) {
    for (const { id, value } of tags) {
      const s = str(value);
      if (s === undefined) continue;
      const desc = id.startsWith('TXXX:')
        ? id.slice(5)
        : id.startsWith('----:com.apple.iTunes:')
          ? id.slice(22)
          : undefined;
      if (desc && !KNOWN_TXXX.has(desc.toLowerCase()) && !NOT_CARRIED.has(desc.toUpperCase()))
        out.push([desc.toUpperCase(), s]);
    }
  }
  return out;
}
