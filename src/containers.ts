/**
 * What each output container can hold. Format differences live here as data, so the rest
 * of the code asks "does this container take pictures?" instead of testing codec names.
 */

/** How tags are spelled in a container. */
export type TagStyle = 'vorbis' | 'id3v2' | 'mp4';

export interface ContainerInfo {
  /** ffmpeg muxer name, always passed with -f so the temp file's name does not matter. */
  muxer: string;
  tagStyle: TagStyle;
  /** Can ffmpeg mux a cover picture (attached_pic stream) into it? ffmpeg cannot for Ogg. */
  art: boolean;
  /** Muxer options that every output of this container gets. */
  muxerArgs: readonly string[];
}

export const containers: Readonly<Record<string, ContainerInfo>> = {
  flac: { muxer: 'flac', tagStyle: 'vorbis', art: true, muxerArgs: [] },
  // ID3v2.4 holds UTF-8 and multi-valued frames; no ID3v1 (truncates, Latin-1 only).
  mp3: { muxer: 'mp3', tagStyle: 'id3v2', art: true, muxerArgs: ['-id3v2_version', '4', '-write_id3v1', '0'] },
  opus: { muxer: 'opus', tagStyle: 'vorbis', art: false, muxerArgs: [] },
  ogg: { muxer: 'ogg', tagStyle: 'vorbis', art: false, muxerArgs: [] },
  // The ipod muxer writes .m4a-compatible files; ffmpeg 4.1 cannot attach cover art to MP4.
  m4a: { muxer: 'ipod', tagStyle: 'mp4', art: false, muxerArgs: ['-movflags', '+faststart'] },
};
