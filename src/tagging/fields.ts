/**
 * The tag-map table. Canonical names are the Vorbis comment keys MusicBrainz Picard writes
 * (upper case); each row says how the field is stored in ID3v2. Vorbis targets (FLAC, Opus)
 * use the canonical key itself, so unknown keys pass through unchanged.
 */

export type Id3Rule =
  | { frame: string; v23?: string } // plain text frame (v23: the v2.3 frame when it differs)
  | { txxx: string } // user text frame with this description
  | { special: 'COMM' | 'USLT' | 'UFID' | 'TMCL' | 'TRCK' | 'TPOS' | 'TOTAL' };

export const ID3_RULES: Readonly<Record<string, Id3Rule>> = {
  TITLE: { frame: 'TIT2' },
  ARTIST: { frame: 'TPE1' },
  ARTISTS: { txxx: 'ARTISTS' },
  ALBUM: { frame: 'TALB' },
  ALBUMARTIST: { frame: 'TPE2' },
  TRACKNUMBER: { special: 'TRCK' },
  TRACKTOTAL: { special: 'TOTAL' },
  TOTALTRACKS: { special: 'TOTAL' },
  DISCNUMBER: { special: 'TPOS' },
  DISCTOTAL: { special: 'TOTAL' },
  TOTALDISCS: { special: 'TOTAL' },
  DATE: { frame: 'TDRC', v23: 'TYER' },
  ORIGINALDATE: { frame: 'TDOR', v23: 'TORY' },
  GENRE: { frame: 'TCON' },
  COMPOSER: { frame: 'TCOM' },
  LYRICIST: { frame: 'TEXT' },
  CONDUCTOR: { frame: 'TPE3' },
  REMIXER: { frame: 'TPE4' },
  PERFORMER: { special: 'TMCL' },
  COMMENT: { special: 'COMM' },
  DESCRIPTION: { special: 'COMM' },
  LYRICS: { special: 'USLT' },
  UNSYNCEDLYRICS: { special: 'USLT' },
  LABEL: { frame: 'TPUB' },
  ORGANIZATION: { frame: 'TPUB' },
  CATALOGNUMBER: { txxx: 'CATALOGNUMBER' },
  BARCODE: { txxx: 'BARCODE' },
  ISRC: { frame: 'TSRC' },
  BPM: { frame: 'TBPM' },
  COMPILATION: { frame: 'TCMP' },
  GROUPING: { frame: 'TIT1' },
  SUBTITLE: { frame: 'TIT3' },
  DISCSUBTITLE: { frame: 'TSST' },
  MEDIA: { frame: 'TMED' },
  LANGUAGE: { frame: 'TLAN' },
  COPYRIGHT: { frame: 'TCOP' },
  ENCODEDBY: { frame: 'TENC' },
  MOOD: { frame: 'TMOO' },
  KEY: { frame: 'TKEY' },
  ARTISTSORT: { frame: 'TSOP' },
  ALBUMARTISTSORT: { frame: 'TSO2' },
  ALBUMSORT: { frame: 'TSOA' },
  TITLESORT: { frame: 'TSOT' },
  COMPOSERSORT: { frame: 'TSOC' },
  // MusicBrainz identifiers, as Picard writes them to ID3.
  MUSICBRAINZ_TRACKID: { special: 'UFID' },
  MUSICBRAINZ_RELEASETRACKID: { txxx: 'MusicBrainz Release Track Id' },
  MUSICBRAINZ_ALBUMID: { txxx: 'MusicBrainz Album Id' },
  MUSICBRAINZ_ARTISTID: { txxx: 'MusicBrainz Artist Id' },
  MUSICBRAINZ_ALBUMARTISTID: { txxx: 'MusicBrainz Album Artist Id' },
  MUSICBRAINZ_RELEASEGROUPID: { txxx: 'MusicBrainz Release Group Id' },
  MUSICBRAINZ_WORKID: { txxx: 'MusicBrainz Work Id' },
  MUSICBRAINZ_DISCID: { txxx: 'MusicBrainz Disc Id' },
  MUSICBRAINZ_TRMID: { txxx: 'MusicBrainz TRM Id' },
  RELEASESTATUS: { txxx: 'MusicBrainz Album Status' },
  RELEASETYPE: { txxx: 'MusicBrainz Album Type' },
  RELEASECOUNTRY: { txxx: 'MusicBrainz Album Release Country' },
  ACOUSTID_ID: { txxx: 'Acoustid Id' },
  ASIN: { txxx: 'ASIN' },
  SCRIPT: { txxx: 'SCRIPT' },
  REPLAYGAIN_TRACK_GAIN: { txxx: 'REPLAYGAIN_TRACK_GAIN' },
  REPLAYGAIN_TRACK_PEAK: { txxx: 'REPLAYGAIN_TRACK_PEAK' },
  REPLAYGAIN_ALBUM_GAIN: { txxx: 'REPLAYGAIN_ALBUM_GAIN' },
  REPLAYGAIN_ALBUM_PEAK: { txxx: 'REPLAYGAIN_ALBUM_PEAK' },
  REPLAYGAIN_REFERENCE_LOUDNESS: { txxx: 'REPLAYGAIN_REFERENCE_LOUDNESS' },
};

/** Keys never carried from a source: they describe the old file, or audiofan writes them itself. */
export const NOT_CARRIED = new Set([
  'ENCODER',
  'ENCODED-BY-SOFTWARE',
  'VENDOR',
  'METADATA_BLOCK_PICTURE',
  'COVERART',
  'COVERARTMIME',
  'WAVEFORMATEXTENSIBLE_CHANNEL_MASK',
  'R128_TRACK_GAIN',
  'R128_ALBUM_GAIN',
  'ITUNSMPB',
  'ITUNNORM',
]);

/** Loudness keys: recomputed by audiofan, and never copied into Opus (which uses R128_* instead). */
export const REPLAYGAIN_KEYS = new Set([
  'REPLAYGAIN_TRACK_GAIN',
  'REPLAYGAIN_TRACK_PEAK',
  'REPLAYGAIN_ALBUM_GAIN',
  'REPLAYGAIN_ALBUM_PEAK',
  'REPLAYGAIN_REFERENCE_LOUDNESS',
]);
