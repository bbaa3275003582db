/**
 * run/option-docs.ts: the README's option table is the one made from the option table, to the letter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_END, DOCS_START, optionsMarkdown, withOptionsTable } from '../../../src/run/option-docs.js';
import { CLI_FLAGS, OPTIONS } from '../../../src/run/option-table.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README option table', () => {
  it('is what `npm run docs` makes from the option table (run it after changing an option)', () => {
    expect(readme).toBe(withOptionsTable(readme));
  });

  it('has a row for every flag in the table, and no other', () => {
    const section = readme.slice(readme.indexOf(DOCS_START), readme.indexOf(DOCS_END));
    const flags = [...section.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1].replace(/\\\|/g, '|'));
    const want = [...Object.values(OPTIONS), ...Object.values(CLI_FLAGS)].flatMap((s) =>
      'flag' in s && s.flag ? [s.flag] : [],
    );
    expect(flags).toEqual(want);
  });

  it("changes when a row's help changes (the drift check can fail)", () => {
    const before = optionsMarkdown();
    const spec = OPTIONS.jobs as { help: string };
    const help = spec.help;
    spec.help = 'something else';
    try {
      expect(optionsMarkdown()).not.toBe(before);
    } finally {
      spec.help = help;
    }
  });
});
