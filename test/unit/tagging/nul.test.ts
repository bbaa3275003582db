/**
 * tagging/nul.ts: a NUL inside tag text never splits a value (ID3v2.4 separates values with NUL).
 */
import { describe, expect, it } from 'vitest';
import { withoutNul } from '../../../src/tagging/nul.js';
import { id3v2Tag } from '../../../src/tagging/id3v2.js';

describe('withoutNul', () => {
  it.each([
    ['no NUL: unchanged', 'Plain', 'Plain'],
    ['a trailing C-string NUL dropped', 'Title\0', 'Title'],
    ['leading NULs dropped', '\0\0Title', 'Title'],
    ['an inner NUL becomes "; "', 'One\0Two', 'One; Two'],
    ['a run of inner NULs is one separator', 'One\0\0Two\0', 'One; Two'],
    ['only NULs: empty', '\0\0', ''],
  ])('%s', (_n, input, want) => expect(withoutNul(input)).toBe(want));

  it('an ID3v2.4 text frame from a value with a NUL holds one value', () => {
    const tag = id3v2Tag([{ id: 'TPE1', kind: 'text', values: ['One\0Two'] }], 4, 0);
    const body = tag.subarray(20); // tag header 10, frame header 10, then encoding byte and text
    expect(body.toString('utf8')).toBe('\u0003One; Two');
    expect(body.includes(0)).toBe(false);
  });
});
