/**
 * A lossless master's tags and pictures: music-metadata reads them where it can (every field, pictures with their
 * types); a master it cannot read still converts, with the tags ffmpeg reports and a warning saying so.
 */
import type { IPicture } from 'music-metadata';
import type { MediaInfo, StreamInfo } from '../ffmpeg/identify.js';
import { readAudioMetadata } from './read-metadata.js';
import { sourceTagEntries } from '../tagging/source-tags.js';
import { ffmpegTagEntries } from '../tagging/ffmpeg-source-tags.js';
import type { TagEntries } from '../tagging/vorbis-comment.js';

export interface MasterTags {
  tags: TagEntries;
  pictures?: IPicture[];
  /** The duration music-metadata read from the headers, when it read them. */
  duration?: number;
  warnings: string[];
}

export async function masterTags(path: string, info: MediaInfo, stream: StreamInfo): Promise<MasterTags> {
  // Ogg keeps its comments on the stream, most containers on the file.
  const fromFfmpeg = ffmpegTagEntries({ ...stream.tags, ...info.tags });
  try {
    const meta = await readAudioMetadata(path);
    const tags = sourceTagEntries(meta);
    return {
      // A parser that read the file but found no tags where ffmpeg found some has misread the file.
      tags: tags.length || !fromFfmpeg.length ? tags : fromFfmpeg,
      pictures: meta.common.picture,
      ...(meta.format.duration !== undefined ? { duration: meta.format.duration } : {}),
      warnings: [],
    };
  } catch (e) {
    const why = (e as Error).message.split('\n')[0].slice(0, 200);
    return {
      tags: fromFfmpeg,
      warnings: [
        `music-metadata cannot read its tags (${why}): converted with the ${fromFfmpeg.length} tag value(s) ffmpeg reports, without embedded pictures`,
      ],
    };
  }
}
