/**
 * sources/exclude.ts: which paths --exclude leaves out, and which folders are not walked at all.
 */
import { describe, expect, it } from 'vitest';
import { excluder } from '../../../src/sources/exclude.js';

describe('excluder', () => {
  it.each([
    ['no globs: nothing', [], 'a/b.flac', false, false],
    ['a folder glob leaves out its files', ['Live/**'], 'Live/01.flac', false, true],
    ['a folder glob leaves out the folder itself', ['Live/**'], 'Live', true, true],
    ['the bare folder name leaves it out', ['Live'], 'Live', true, true],
    ['a folder glob keeps a sibling with the same prefix', ['Live/**'], 'Lively/01.flac', false, false],
    ['a file glob does not leave out a folder', ['**/*.part'], 'Album', true, false],
    ['a file glob matches at any depth', ['**/*.part'], 'A/B/x.flac.part', false, true],
    ['one damaged file', ['Album/03 Damaged.flac'], 'Album/03 Damaged.flac', false, true],
    ['its neighbour stays', ['Album/03 Damaged.flac'], 'Album/02 Fine.flac', false, false],
    ['several globs: any one', ['x/**', '*.tmp'], 'a.tmp', false, true],
  ])('%s', (_name, globs, rel, folder, want) => {
    expect(excluder(globs)(rel, folder)).toBe(want);
  });
});
