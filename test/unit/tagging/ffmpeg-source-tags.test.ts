/**
 * ffmpeg-source-tags.ts: the tags ffmpeg reports, as canonical entries (the fallback when music-metadata cannot read
 * a master's tags). One row per rule.
 */
import { describe, expect, it } from 'vitest';
import { ffmpegTagEntries } from '../../../src/tagging/ffmpeg-source-tags.js';

describe('ffmpegTagEntries', () => {
  it.each([
    [
      'generic names become canonical keys',
      { title: 'T', artist: 'A', album_artist: 'AA', date: '1999' },
      [
        ['TITLE', 'T'],
        ['ARTIST', 'A'],
        ['ALBUMARTIST', 'AA'],
        ['DATE', '1999'],
      ],
    ],
    [
      '"n/N" track and disc numbers are split',
      { track: '3/12', disc: '1 / 2' },
      [
        ['TRACKNUMBER', '3'],
        ['TRACKTOTAL', '12'],
        ['DISCNUMBER', '1'],
        ['DISCTOTAL', '2'],
      ],
    ],
    ['a plain track number stays', { track: '7' }, [['TRACKNUMBER', '7']]],
    [
      'Vorbis-comment keys come through as they are',
      { MUSICBRAINZ_TRACKID: 'x', REPLAYGAIN_TRACK_GAIN: '-3 dB' },
      [
        ['MUSICBRAINZ_TRACKID', 'x'],
        ['REPLAYGAIN_TRACK_GAIN', '-3 dB'],
      ],
    ],
    [
      'container bookkeeping is dropped',
      { encoder: 'Lavf58', major_brand: 'M4A', handler_name: 'SoundHandler', creation_time: '2020' },
      [],
    ],
    [
      'empty values are dropped; a value with a line break is kept whole',
      { comment: '', lyrics: 'a\nb' },
      [['LYRICS', 'a\nb']],
    ],
    [
      'a key with spaces gets underscores',
      { 'album artist': 'AA', 'my field': 'v' },
      [
        ['ALBUMARTIST', 'AA'],
        ['MY_FIELD', 'v'],
      ],
    ],
  ])('%s', (_name, tags, want) => {
    expect(ffmpegTagEntries(tags as Record<string, string>)).toEqual(want);
  });
});
