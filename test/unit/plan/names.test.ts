/**
 * Output names: never hidden, never ending in a dot or space where Windows-family filesystems would drop it, and
 * masters whose names differ only by extension in one folder named apart by the documented rule (siblings.ts).
 */
import { describe, expect, it } from 'vitest';
import { FS_PROFILES, safeComponent, type FsProfile } from '../../../src/plan/fs-profile.js';
import { parseLayout, renderLayout } from '../../../src/plan/layout.js';
import { planSources } from '../../../src/plan/plan.js';
import { extensionSuffix } from '../../../src/plan/siblings.js';
import { FLAC, MP3, recorded, recordedSource, source } from '../builders.js';
import type { ManifestSource, PlannedSource } from '../../../src/model.js';

const WINDOWS_FAMILY: FsProfile[] = ['universal', 'fat32', 'exfat', 'ntfs', 'android'];

describe('safeComponent: no hidden names, no trailing dot or space on Windows-family filesystems', () => {
  it.each([
    // name, ext, posix, universal (and fat32/exfat/ntfs/android)
    ['.hidden', '', '_hidden', '_hidden'],
    ['..', '', '__', '__'],
    ['.', '', '_', '_'],
    ['...', '.mp3', '___.mp3', '___.mp3'],
    ['../../x', '', '___.._x', '___.._x'],
    ['.. ', '', '__ ', '__'],
    ['end.', '', 'end.', 'end'],
    ['end ', '.mp3', 'end .mp3', 'end.mp3'],
    ['a. . .', '', 'a. . .', 'a'],
    [' .x', '', ' .x', ' .x'],
    ['', '', '_', '_'],
    ['song', ' (wav).flac', 'song (wav).flac', 'song (wav).flac'],
    ['song.', ' (wav).flac', 'song. (wav).flac', 'song (wav).flac'],
  ])('%j + %j -> posix %j, others %j', (name, ext, posix, windowsLike) => {
    expect(safeComponent(name, 'posix', ext)).toBe(posix);
    for (const p of WINDOWS_FAMILY) expect(safeComponent(name, p, ext)).toBe(windowsLike);
  });

  it.each([...FS_PROFILES])(
    '%s: no rendered component of a hostile layout is hidden, empty or (not posix) ends in . or space',
    (p) => {
      const tags: [string, string][] = [
        ['ALBUMARTIST', '../../..'],
        ['ALBUM', '.'],
        ['TITLE', '.hidden. '],
        ['DISCNUMBER', ' . '],
      ];
      const rel = renderLayout(parseLayout('{albumartist}/{album}/{disc}/{title}'), tags, p, 'mp3');
      for (const c of rel.split('/')) {
        expect(c).not.toBe('');
        expect(c.startsWith('.')).toBe(false);
        if (p !== 'posix') expect(/[. ]$/.test(c.replace(/\.mp3$/, ''))).toBe(false);
      }
    },
  );
});

describe('masters whose names differ only by extension', () => {
  const src = (rel: string, o: Partial<PlannedSource> = {}) =>
    source({ rel, path: `/m/${rel}`, key: `0\0${rel}`, ...o });
  const names = (
    sources: PlannedSource[],
    previous = new Map<string, ManifestSource>(),
    layout?: string,
    profile: FsProfile = 'universal',
  ) =>
    planSources({
      sources,
      presets: [FLAC, MP3],
      ctx: { soxr: true },
      ffmpegVersion: '6.0',
      previous,
      onDisk: new Map(),
      naming: { profile, ...(layout ? { layout: parseLayout(layout) } : {}) },
    }).map((p) => [p.source.rel, p.outputs.map((o) => (o.collision ? o.collision.code : o.rel))]);

  it.each([
    [
      'the first by file name keeps the plain name; the other gets its extension',
      [src('A/song.flac'), src('A/song.wav')],
      [
        ['A/song.flac', ['flac/A/song.flac', 'mp3-v0/A/song.mp3']],
        ['A/song.wav', ['flac/A/song (wav).flac', 'mp3-v0/A/song (wav).mp3']],
      ],
    ],
    [
      'three of them',
      [src('song.aiff'), src('song.flac'), src('song.wav')],
      [
        ['song.aiff', ['flac/song.flac', 'mp3-v0/song.mp3']],
        ['song.flac', ['flac/song (flac).flac', 'mp3-v0/song (flac).mp3']],
        ['song.wav', ['flac/song (wav).flac', 'mp3-v0/song (wav).mp3']],
      ],
    ],
    [
      'in different folders they do not compete',
      [src('A/song.flac'), src('B/song.wav')],
      [
        ['A/song.flac', ['flac/A/song.flac', 'mp3-v0/A/song.mp3']],
        ['B/song.wav', ['flac/B/song.flac', 'mp3-v0/B/song.mp3']],
      ],
    ],
    [
      'names differing in case compete where the filesystem ignores case (the extension is the suffix, lower-cased)',
      [src('Song.flac'), src('song.WAV')],
      [
        ['Song.flac', ['flac/Song.flac', 'mp3-v0/Song.mp3']],
        ['song.WAV', ['flac/song (wav).flac', 'mp3-v0/song (wav).mp3']],
      ],
    ],
    [
      'a file without an extension',
      [src('song'), src('song.flac')],
      [
        ['song', ['flac/song.flac', 'mp3-v0/song.mp3']],
        ['song.flac', ['flac/song (flac).flac', 'mp3-v0/song (flac).mp3']],
      ],
    ],
  ])('%s', (_name, sources, want) => {
    expect(names(sources)).toEqual(want);
  });

  it('on posix, names differing in case are different files: no suffix', () => {
    expect(names([src('Song.flac'), src('song.wav')], new Map(), undefined, 'posix')).toEqual([
      ['Song.flac', ['flac/Song.flac', 'mp3-v0/Song.mp3']],
      ['song.wav', ['flac/song.flac', 'mp3-v0/song.mp3']],
    ]);
  });

  it('stable: the master that holds the plain name in the manifest keeps it when a sibling sorting first appears', () => {
    const previous = new Map([
      [
        '0\0song.flac',
        recordedSource(
          [recorded({ path: 'flac/song.flac' }), recorded({ preset: 'mp3-v0', path: 'mp3-v0/song.mp3' })],
          { path: '/m/song.flac', rel: 'song.flac' },
        ),
      ],
    ]);
    expect(names([src('song.aiff'), src('song.flac')], previous)).toEqual([
      ['song.aiff', ['flac/song (aiff).flac', 'mp3-v0/song (aiff).mp3']],
      ['song.flac', ['flac/song.flac', 'mp3-v0/song.mp3']],
    ]);
  });

  it('with a layout, siblings whose tags name them apart get no suffix; siblings named alike do', () => {
    const t = (title: string): [string, string][] => [['TITLE', title]];
    expect(names([src('a.flac', { tags: t('One') }), src('a.wav', { tags: t('Two') })], new Map(), '{title}')).toEqual([
      ['a.flac', ['flac/One.flac', 'mp3-v0/One.mp3']],
      ['a.wav', ['flac/Two.flac', 'mp3-v0/Two.mp3']],
    ]);
    expect(
      names([src('a.flac', { tags: t('Same') }), src('a.wav', { tags: t('Same') })], new Map(), '{title}'),
    ).toEqual([
      ['a.flac', ['flac/Same.flac', 'mp3-v0/Same.mp3']],
      ['a.wav', ['flac/Same (wav).flac', 'mp3-v0/Same (wav).mp3']],
    ]);
  });

  it('two different sources that are not siblings still collide (E_OUTPUT_COLLISION), as before', () => {
    const t: [string, string][] = [['TITLE', 'Same']];
    expect(names([src('a.flac', { tags: t }), src('b.flac', { tags: t })], new Map(), '{title}')[1]).toEqual([
      'b.flac',
      ['E_OUTPUT_COLLISION', 'E_OUTPUT_COLLISION'],
    ]);
  });

  it.each([
    ['song.wav', ' (wav)'],
    ['song.FLAC', ' (flac)'],
    ['song.w@v', ' (wv)'],
    ['song', ' (file)'],
  ])('extensionSuffix(%j) = %j', (rel, want) => {
    expect(extensionSuffix(rel)).toBe(want);
  });
});
