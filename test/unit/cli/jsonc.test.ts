/**
 * cli/jsonc.ts: comments in config files are blanked outside strings; positions and strings are kept.
 */
import { describe, expect, it } from 'vitest';
import { parseJsonc, stripComments } from '../../../src/cli/jsonc.js';

describe('parseJsonc', () => {
  it.each([
    ['line comments', '{ // a\n "a": 1 // b\n}', { a: 1 }],
    ['block comments', '/* head */ { "a": /* inline */ 2 }', { a: 2 }],
    [
      'slashes inside strings are text',
      '{ "url": "http://x//y", "glob": "a/*.cue" }',
      { url: 'http://x//y', glob: 'a/*.cue' },
    ],
    ['escaped quotes inside strings', '{ "q": "say \\"//hi\\"" }', { q: 'say "//hi"' }],
  ])('%s', (_n, text, want) => {
    expect(parseJsonc(text)).toEqual(want);
  });

  it('keeps line and column positions, so JSON errors point into the file as written', () => {
    const text = '{\n  // note\n  "a": 1,\n}';
    expect(
      stripComments(text)
        .split('\n')
        .map((l) => l.length),
    ).toEqual(text.split('\n').map((l) => l.length));
  });
});
