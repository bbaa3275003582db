/**
 * What each output container can hold and who writes its tags. Format differences live here as
 * data, so the rest of the code asks "does this container take pictures?" instead of testing
 * codec names.
 */
import { tagWriter, type TagWriterId } from '../tagging/writers.js';

export interface ContainerInfo {
  /** ffmpeg muxer name, always passed with -f so the temp file's name does not matter. */
  muxer: string;
  /**
   * Who writes tags and art. audiofan's own writers for FLAC, MP3, Opus, Vorbis and MP4 (full tag set,
   * multi-valued fields, large pictures, pictures in Ogg); ffmpeg's -metadata for the rest.
   */
  tagWriter: TagWriterId;
  /** Muxer options that every output of this container gets. */
  muxerArgs: readonly string[];
  /** What music-metadata calls this container's audio codec: `audiofan adopt` checks a found file by it. */
  codecPattern: RegExp;
}

export const containers: Readonly<Record<string, ContainerInfo>> = {
  flac: { muxer: 'flac', tagWriter: 'flac', muxerArgs: [], codecPattern: /^FLAC$/i },
  // ffmpeg writes no ID3 (ours replaces it) and no ID3v1 (truncating, Latin-1 only); the Xing/LAME header stays.
  mp3: {
    muxer: 'mp3',
    tagWriter: 'id3v2',
    muxerArgs: ['-id3v2_version', '0', '-write_id3v1', '0'],
    codecPattern: /layer 3|mp3/i,
  },
  opus: { muxer: 'opus', tagWriter: 'opus', muxerArgs: [], codecPattern: /^opus$/i },
  ogg: { muxer: 'ogg', tagWriter: 'vorbis', muxerArgs: [], codecPattern: /vorbis/i },
  m4a: { muxer: 'ipod', tagWriter: 'mp4', muxerArgs: ['-movflags', '+faststart'], codecPattern: /./ },
};

/** Does an output of this preset get the cover: the preset allows art and its container's writer can embed one. */
export function carriesArt(container: ContainerInfo, presetArt: boolean | undefined): boolean {
  return presetArt !== false && tagWriter(container.tagWriter).cover;
}

/** Can an output of this container have its tags rewritten without re-encoding? */
export function canRetag(container: ContainerInfo): boolean {
  return tagWriter(container.tagWriter).write !== undefined;
}
