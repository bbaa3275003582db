/**
 * tagging/writers.ts: one registry of tag writers, each saying what it can carry; every container names one.
 */
import { describe, expect, it } from 'vitest';
import { canRetag, carriesArt, containers } from '../../../src/presets/containers.js';
import { TAG_WRITERS, tagWriter, type TagWriterId } from '../../../src/tagging/writers.js';

describe('the tag-writer registry', () => {
  it.each([
    ['flac', 'all', true, 'replaygain', true],
    ['opus', 'all', true, 'r128', true],
    ['id3v2', 'all', true, 'replaygain', true],
    ['vorbis', 'all', true, 'replaygain', true],
    ['mp4', 'all', true, 'replaygain', true],
    ['ffmpeg', 'basic', false, 'none', false],
  ] as [TagWriterId, string, boolean, string, boolean][])(
    '%s carries %s tags, cover %s, gains %s; rewrites tags itself: %s',
    (id, tags, cover, gains, writes) => {
      const w = tagWriter(id);
      expect({ id: w.id, tags: w.tags, cover: w.cover, gains: w.gains, writes: typeof w.write === 'function' }).toEqual(
        { id, tags, cover, gains, writes },
      );
    },
  );

  it('every container names a registered writer', () => {
    for (const [name, c] of Object.entries(containers)) expect(TAG_WRITERS[c.tagWriter], name).toBeDefined();
  });

  it.each([
    ['flac', undefined, true, true],
    ['flac', false, false, true],
    ['opus', true, true, true],
    ['ogg', true, true, true],
    ['m4a', undefined, true, true],
    ['m4a', false, false, true],
  ] as [string, boolean | undefined, boolean, boolean][])(
    'container %s, preset art %s: cover %s, retag %s',
    (name, art, cover, retag) => {
      expect(carriesArt(containers[name], art)).toBe(cover);
      expect(canRetag(containers[name])).toBe(retag);
    },
  );
});
