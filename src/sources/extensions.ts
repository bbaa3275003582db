/**
 * File extensions, used only to save work and to word messages, never to decide what a file is: extensions known
 * not to be audio are not opened; extensions that promise audio turn "unreadable" into a failure, not an ignore.
 */

/** Extensions we know are not audio: not opened at all (covers, cue sheets, rip logs). */
export const NOT_AUDIO = new Set(
  '.jpg .jpeg .png .gif .bmp .webp .cue .log .txt .nfo .m3u .m3u8 .pls .pdf .sfv .md5 .ffp .accurip .db .ini .json .xml .html .url .lrc'.split(
    ' ',
  ),
);

/** Extensions that promise audio, in every container ffmpeg reads lossless audio from (and the lossy ones). */
export const AUDIO_EXT = new Set(
  [
    // WAV family, AIFF, CAF
    '.wav .wave .bwf .rf64 .w64 .aif .aiff .aifc .caf',
    // FLAC, Ogg, Matroska, MP4, ASF
    '.flac .fla .ogg .oga .mka .mkv .webm .m4a .m4b .mp4 .alac .wma .asf',
    // other lossless codecs' own files
    '.wv .ape .tta .tak .shn .mlp .thd .dsf .dff .ofr .als',
    // lossy files (skipped, and reported as such)
    '.mp3 .mp2 .opus .aac .ac3 .dts .mpc',
  ]
    .join(' ')
    .split(' '),
);
