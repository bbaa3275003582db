/**
 * Tags for containers audiofan has no writer of its own for (Ogg Vorbis, MP4), passed to ffmpeg
 * as `-metadata key=value` with ffmpeg's generic key names, one argv element each. Only the basic
 * fields, single-valued: ffmpeg keeps one string per key.
 */
import type { TagEntries } from './vorbis-comment.js';

const GENERIC: [string, string][] = [
  ['TITLE', 'title'],
  ['ARTIST', 'artist'],
  ['ALBUM', 'album'],
  ['ALBUMARTIST', 'album_artist'],
  ['DATE', 'date'],
  ['GENRE', 'genre'],
  ['COMPOSER', 'composer'],
  ['COMMENT', 'comment'],
];

/** A single argv string is limited to 128 KiB on Linux; longer values are dropped with a warning. */
const MAX_VALUE_BYTES = 64 * 1024;

export function ffmpegTagArgs(entries: TagEntries): { args: string[]; warnings: string[] } {
  const all = (k: string) => entries.filter(([key]) => key === k).map(([, v]) => v);
  const pairs: [string, string | undefined][] = GENERIC.map(([k, g]) => [
    g,
    all(k).length ? all(k).join('; ') : undefined,
  ]);
  const num = (n: string, t: string) =>
    all(n)[0] === undefined ? undefined : all(t)[0] ? `${all(n)[0]}/${all(t)[0]}` : all(n)[0];
  pairs.push(['track', num('TRACKNUMBER', 'TRACKTOTAL')], ['disc', num('DISCNUMBER', 'DISCTOTAL')]);
  const args: string[] = [];
  const warnings: string[] = [];
  for (const [key, value] of pairs) {
    if (value === undefined) continue;
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      warnings.push(`tag ${key} dropped: its value is ${Buffer.byteLength(value)} bytes`);
    else args.push('-metadata', `${key}=${value}`);
  }
  return { args, warnings };
}
