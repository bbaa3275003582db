/**
 * The iTunes-style item list (ilst) of an MP4 audio file, from canonical entries: the well-known atoms
 * (title, artist, trkn n/N, disk, covr…), else a com.apple.iTunes free-form item named as Picard names it;
 * several values as several data atoms.
 */
import type { Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

/** Canonical key -> ilst text atom. */
const TEXT_ATOMS: Record<string, string> = {
  TITLE: '©nam',
  ARTIST: '©ART',
  ALBUM: '©alb',
  ALBUMARTIST: 'aART',
  DATE: '©day',
  GENRE: '©gen',
  COMPOSER: '©wrt',
  COMMENT: '©cmt',
  // Vorbis DESCRIPTION is what ffmpeg writes for a comment, and what most readers take for one.
  DESCRIPTION: '©cmt',
  LYRICS: '©lyr',
  GROUPING: '©grp',
  COPYRIGHT: 'cprt',
  TITLESORT: 'sonm',
  ARTISTSORT: 'soar',
  ALBUMSORT: 'soal',
  ALBUMARTISTSORT: 'soaa',
  COMPOSERSORT: 'soco',
  ENCODEDBY: '©too',
};

/** Canonical key -> free-form name where Picard's differs from the key itself. */
const FREEFORM_NAMES: Record<string, string> = {
  MUSICBRAINZ_TRACKID: 'MusicBrainz Track Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz Release Track Id',
  MUSICBRAINZ_ALBUMID: 'MusicBrainz Album Id',
  MUSICBRAINZ_ARTISTID: 'MusicBrainz Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz Album Artist Id',
  MUSICBRAINZ_RELEASEGROUPID: 'MusicBrainz Release Group Id',
  MUSICBRAINZ_WORKID: 'MusicBrainz Work Id',
  MUSICBRAINZ_DISCID: 'MusicBrainz Disc Id',
  RELEASESTATUS: 'MusicBrainz Album Status',
  RELEASETYPE: 'MusicBrainz Album Type',
  RELEASECOUNTRY: 'MusicBrainz Album Release Country',
  REPLAYGAIN_TRACK_GAIN: 'replaygain_track_gain',
  REPLAYGAIN_TRACK_PEAK: 'replaygain_track_peak',
  REPLAYGAIN_ALBUM_GAIN: 'replaygain_album_gain',
  REPLAYGAIN_ALBUM_PEAK: 'replaygain_album_peak',
};

/** Keys folded into another item (track and disc totals go into trkn/disk). */
const FOLDED = new Set(['TRACKNUMBER', 'TRACKTOTAL', 'TOTALTRACKS', 'DISCNUMBER', 'DISCTOTAL', 'TOTALDISCS']);

const UTF8 = 1;
const BINARY = 0;
const INTEGER = 21;

export function atom(type: string, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + b.length);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, b]);
}

/** A `data` atom: 4 bytes of version and type, 4 of locale, then the value. */
function data(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(type);
  return atom('data', h, value);
}

const int = (s: string | undefined) => {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 65535) : 0;
};

/** trkn / disk: 2 reserved bytes, number, total (trkn has 2 more reserved bytes). */
function pairItem(type: 'trkn' | 'disk', n: string | undefined, total: string | undefined): Buffer | undefined {
  const [num, of] = (n ?? '').split('/');
  if (!int(num)) return undefined;
  const b = Buffer.alloc(type === 'trkn' ? 8 : 6);
  b.writeUInt16BE(int(num), 2);
  b.writeUInt16BE(int(total ?? of), 4);
  return atom(type, data(BINARY, b));
}

/** The ilst atom for an output's entries and pictures. */
export function ilst(entries: TagEntries, pictures: Picture[]): Buffer {
  const g = new Map<string, string[]>();
  for (const [k, v] of entries) g.set(k, [...(g.get(k) ?? []), v]);
  const first = (...keys: string[]) => keys.map((k) => g.get(k)?.[0]).find((v) => v !== undefined);
  const items: Buffer[] = [];
  // Two keys can share an atom (COMMENT, DESCRIPTION): one atom, all their values.
  const text = new Map<string, Buffer[]>();
  for (const [key, values] of g) {
    if (FOLDED.has(key)) continue;
    const texts = values.map((v) => data(UTF8, Buffer.from(v, 'utf8')));
    if (TEXT_ATOMS[key]) text.set(TEXT_ATOMS[key], [...(text.get(TEXT_ATOMS[key]) ?? []), ...texts]);
    else if (key === 'COMPILATION') items.push(atom('cpil', data(INTEGER, Buffer.from([values[0] === '1' ? 1 : 0]))));
    else if (key === 'BPM' && int(values[0])) {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(int(values[0]));
      items.push(atom('tmpo', data(INTEGER, b)));
    } else {
      const fullbox = (type: string, s: string) => atom(type, Buffer.alloc(4), Buffer.from(s, 'utf8'));
      items.push(
        atom('----', fullbox('mean', 'com.apple.iTunes'), fullbox('name', FREEFORM_NAMES[key] ?? key), ...texts),
      );
    }
  }
  items.unshift(...[...text].map(([type, texts]) => atom(type, ...texts)));
  const trkn = pairItem('trkn', first('TRACKNUMBER'), first('TRACKTOTAL', 'TOTALTRACKS'));
  const disk = pairItem('disk', first('DISCNUMBER'), first('DISCTOTAL', 'TOTALDISCS'));
  for (const x of [trkn, disk]) if (x) items.push(x);
  // covr: JPEG (13) or PNG (14); MP4 has no picture type or description.
  if (pictures.length)
    items.push(atom('covr', ...pictures.map((p) => data(p.mime === 'image/png' ? 14 : 13, Buffer.from(p.data)))));
  return atom('ilst', ...items);
}
