/**
 * Named output paths: layout templates, filesystem profiles, hostile tag values, collisions.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary } from '../dist/src/index.js';
import { safeComponent } from '../dist/src/plan/fs-profile.js';
import { parseLayout, renderLayout } from '../dist/src/plan/layout.js';
import { cli, listFiles, readBack, tmp, track } from './helpers.js';

const T = (o: Record<string, string | string[]>): [string, string][] =>
  Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]));
const render = (
  tpl: string,
  tags: Record<string, string | string[]>,
  profile: 'universal' | 'posix' | 'ntfs' = 'universal',
) => renderLayout(parseLayout(tpl), T(tags), profile, 'mp3');

describe('layout templates', () => {
  it.each([
    [
      'fields, padding and literal text',
      '{albumartist}/{album}/{disc}-{track:02} {title}',
      { ALBUMARTIST: 'AA', ALBUM: 'Al', DISCNUMBER: '1', TRACKNUMBER: '3/12', TITLE: 'Song' },
      'AA/Al/1-03 Song.mp3',
    ],
    [
      'fallback to the next field',
      '{albumartist|artist|Unknown Artist}/{title}',
      { ARTIST: 'Solo', TITLE: 'x' },
      'Solo/x.mp3',
    ],
    ['fallback to literal text', '{albumartist|artist|Unknown Artist}/{title}', { TITLE: 'x' }, 'Unknown Artist/x.mp3'],
    [
      'derived year, any tag key',
      '{year} - {album}/{catalognumber|no cat} {title}',
      { DATE: '1999-03-01', ALBUM: 'A', TITLE: 't' },
      '1999 - A/no cat t.mp3',
    ],
    ['multi-valued fields joined', '{artist}/{title}', { ARTIST: ['One', 'Two'], TITLE: 't' }, 'One, Two/t.mp3'],
    ['missing field with no fallback', '{genre}/{title}', { TITLE: 't' }, '_/t.mp3'],
  ])('%s', (_n, tpl, tags, want) => {
    expect(render(tpl, tags)).toBe(want);
  });

  it.each(['{title', '{}', '{track:xx}', ''])('a bad template (%j) is a usage error', (tpl) => {
    expect(() => parseLayout(tpl)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('hostile tag values never leave the output folder', () => {
  it.each([
    [
      'parent folders',
      { ALBUMARTIST: '../../..', ALBUM: '..', TITLE: '../../etc/passwd' },
      '___.._/__/___.._etc_passwd.mp3',
    ],
    ['absolute path', { ALBUMARTIST: '/etc', ALBUM: '/', TITLE: '/x' }, '_etc/_/_x.mp3'],
    [
      'NUL and control characters',
      { ALBUMARTIST: 'a\u0000b', ALBUM: 'c\nd\te', TITLE: 'f\u0007g' },
      'ab/c_d_e/f_g.mp3',
    ],
    [
      'Windows reserved names and characters',
      { ALBUMARTIST: 'CON', ALBUM: 'aux.txt', TITLE: 'what? <now>: "yes" | no*' },
      '_CON/_aux.txt/what_ _now__ _yes_ _ no_.mp3',
    ],
    ['trailing dots and spaces', { ALBUMARTIST: 'Dots...', ALBUM: 'Spaces   ', TITLE: 'end.' }, 'Dots/Spaces/end.mp3'],
  ])('%s', (_n, tags, want) => {
    const rel = render('{albumartist}/{album}/{title}', tags);
    expect(rel).toBe(want);
    expect(rel.split('/').every((c) => c !== '' && !c.startsWith('.'))).toBe(true);
  });

  it('long names are cut to 255 bytes (and 255 UTF-16 units), never inside a character, keeping the extension', () => {
    const rel = render('{title}', { TITLE: 'é'.repeat(300) });
    expect(Buffer.byteLength(rel)).toBeLessThanOrEqual(255);
    expect(rel.endsWith('é.mp3')).toBe(true);
    // NTFS counts UTF-16 units, so more of the same name fits there.
    expect(render('{title}', { TITLE: 'é'.repeat(300) }, 'ntfs').length).toBe(255);
  });

  it('names are NFC-normalised (one spelling for é whichever the tag used)', () => {
    expect(render('{title}', { TITLE: 'Cafe\u0301' })).toBe('Caf\u00e9.mp3');
  });

  it('posix keeps what a Linux filesystem accepts; universal makes it safe everywhere', () => {
    expect(safeComponent('a:b "c"?', 'posix')).toBe('a:b "c"?');
    expect(safeComponent('a:b "c"?', 'universal')).toBe('a_b _c__');
    expect(safeComponent('a/b', 'posix')).toBe('a_b');
  });
});

describe('layouts end to end', () => {
  let lib: string;
  beforeAll(async () => {
    lib = await tmp('layout-src');
    await track(join(lib, 'x1.flac'), {
      seconds: 1,
      tags: { ALBUMARTIST: '../../..', ALBUM: '/etc', TITLE: '../escape', TRACKNUMBER: '1' },
    });
    await track(join(lib, 'first.flac'), {
      seconds: 1,
      tags: { ARTIST: 'Same', ALBUM: 'Same', TITLE: 'Same', TRACKNUMBER: '2' },
    });
    await track(join(lib, 'second.flac'), {
      seconds: 2,
      tags: { ARTIST: 'Same', ALBUM: 'Same', TITLE: 'Same', TRACKNUMBER: '2' },
    });
    await track(join(lib, 'upper.flac'), {
      seconds: 1,
      tags: { ARTIST: 'Case', ALBUM: 'Case', TITLE: 'SONG', TRACKNUMBER: '3' },
    });
    await track(join(lib, 'zlower.flac'), {
      seconds: 1,
      tags: { ARTIST: 'Case', ALBUM: 'Case', TITLE: 'song', TRACKNUMBER: '3' },
    });
  });

  it('with --layout, hostile tags stay inside the output folder, and a collision fails the second source without overwriting', async () => {
    const parent = await tmp('layout-out');
    const out = join(parent, 'out');
    const r = await cli([
      lib,
      '-o',
      out,
      '-p',
      'opus-64',
      '--layout',
      '{albumartist|artist}/{album}/{track:02} {title}',
      '--json',
      '--create',
    ]);
    expect(r.code).toBe(1);
    expect(await readdir(parent)).toEqual(['out']);
    const files = await listFiles(out);
    expect(files).toContain('opus-64/___.._/_etc/01 .._escape.opus');
    const manifest = JSON.parse(
      await (await import('node:fs/promises')).readFile(join(out, 'audiofan-manifest.json'), 'utf8'),
    );
    const second = manifest.sources.find((s: { path: string }) => s.path.endsWith('second.flac'));
    expect(second.outputs[0]).toMatchObject({ status: 'failed', code: 'E_OUTPUT_COLLISION' });
    expect(second.outputs[0].message).toMatch(/already the output of .*first\.flac; nothing was overwritten/);
    // The file at that path is the first source's (1 s), not the second's (2 s).
    expect((await readBack(join(out, 'opus-64/Same/Same/02 Same.opus'))).format.duration).toBeCloseTo(1, 1);
    // Names differing only in case are one file on FAT, exFAT, NTFS and Android: a collision there.
    const lower = manifest.sources.find((s: { path: string }) => s.path.endsWith('zlower.flac'));
    expect(lower.outputs[0].code).toBe('E_OUTPUT_COLLISION');
  });

  it('the posix profile treats names differing in case as different files', async () => {
    const out = await tmp('layout-posix');
    const r = await convertLibrary({
      sources: [lib],
      output: out,
      presets: ['opus-64'],
      layout: '{artist}/{title}',
      fsProfile: 'posix',
    });
    const lower = r.sources.find((s) => s.path.endsWith('zlower.flac'))!;
    expect(lower.outputs[0].status).toBe('ok');
    expect(dirname(lower.outputs[0].path)).toBe('opus-64/Case');
  });
});
