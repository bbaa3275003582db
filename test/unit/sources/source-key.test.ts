/**
 * source-key.ts: a source's identity across runs (root position + relative path), and how recorded roots map to this run's.
 */
import { describe, expect, it } from 'vitest';
import { outputKey, recordedKey, rootMatcher, sourceKey } from '../../../src/sources/source-key.js';

describe('sourceKey', () => {
  it.each([
    ['root position and path, NUL-delimited', 0, 'A/01.flac', '0\0A/01.flac'],
    ['a later root', 2, 'x.flac', '2\0x.flac'],
    ['a matcher result as the root', 'gone:/old', 'A/b.flac', 'gone:/old\0A/b.flac'],
    ['a name with spaces and non-ASCII is kept as it is', 1, 'Björk/01 - "Jóga".flac', '1\0Björk/01 - "Jóga".flac'],
  ] as [string, number | string, string, string][])('%s', (_n, root, rel, want) => {
    expect(sourceKey(root, rel)).toBe(want);
  });
});

describe('rootMatcher', () => {
  it.each([
    ['the same root at the same position', ['/a', '/b'], ['/a', '/b'], '/b', '1'],
    ['the same root given at another position', ['/b', '/a'], ['/a', '/b'], '/a', '1'],
    ['a moved root: the new root at its old position', ['/new', '/b'], ['/old', '/b'], '/old', '0'],
    ['two moved roots, each by position', ['/n1', '/n2'], ['/o1', '/o2'], '/o2', '1'],
    ['gone: the root at its old position was also given last time', ['/b'], ['/old', '/b'], '/old', 'gone:/old'],
    ['gone: no root at its old position any more', ['/a'], ['/a', '/c'], '/c', 'gone:/c'],
    ['gone: a root never recorded as a root', ['/a'], ['/a'], '/elsewhere', 'gone:/elsewhere'],
    ['a record without a root is unknown', ['/a'], ['/a'], undefined, 'unknown'],
  ] as [string, string[], string[], string | undefined, string][])('%s', (_n, current, previous, root, want) => {
    expect(rootMatcher(current, previous)(root)).toBe(want);
  });

  it('a first run (nothing recorded) matches only roots given now', () => {
    const m = rootMatcher(['/a', '/b'], []);
    expect([m('/a'), m('/b'), m('/c')]).toEqual(['0', '1', 'gone:/c']);
  });
});

describe('recordedKey', () => {
  const m = rootMatcher(['/new'], ['/old']);
  it.each([
    [
      "root and rel: keyed under this run's position",
      { path: '/old/A/1.flac', root: '/old', rel: 'A/1.flac' },
      '0\0A/1.flac',
    ],
    ['a gone root keeps its own key', { path: '/x/1.flac', root: '/x', rel: '1.flac' }, 'gone:/x\x001.flac'],
    ['an old record without root and rel matches by path', { path: '/old/A/1.flac' }, 'path:/old/A/1.flac'],
    ['a root without rel is an old record too', { path: '/old/A/1.flac', root: '/old' }, 'path:/old/A/1.flac'],
  ] as [string, { path: string; root?: string; rel?: string }, string][])('%s', (_n, rec, want) => {
    expect(recordedKey(m, rec)).toBe(want);
  });

  it('a source found now and its record from before the move have the same key', () => {
    expect(recordedKey(m, { path: '/old/A/1.flac', root: '/old', rel: 'A/1.flac' })).toBe(sourceKey(0, 'A/1.flac'));
  });
});

describe('outputKey', () => {
  it('source key and preset id, NUL-delimited', () => {
    expect(outputKey('0\0A/1.flac', 'mp3-v0')).toBe('0\0A/1.flac\0mp3-v0');
  });
});
