/**
 * NUL bytes inside tag text. A Vorbis comment value is one value however many NULs it holds (a
 * repeated key is how Vorbis says "several"), but ID3v2.4 separates values with NUL, so a NUL that
 * reached an MP3 as it is would split one value into several. Trailing NULs are C-string leftovers and
 * go; inner ones (a sloppy ID3-to-Vorbis conversion's separators) become "; ", as ffmpeg-tags joins.
 */

/** The text as one value: no NUL left in it. */
export function withoutNul(s: string): string {
  if (!s.includes('\0')) return s;
  return s.replace(/^\0+|\0+$/g, '').replace(/\0+/g, '; ');
}
