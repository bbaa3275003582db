/**
 * delete-guard.ts: may this run delete orphans? One row per numbered rule (first match wins), and --max-delete parsing.
 */
import { describe, expect, it } from 'vitest';
import { deleteVerdict, parseMaxDelete, type DeleteGuardInput } from '../../../src/plan/delete-guard.js';
import type { ScanProblem } from '../../../src/sources/scan.js';

const problem = (kind: ScanProblem['kind'], path = '/m/x'): ScanProblem => ({
  root: '/m',
  rootIndex: 0,
  rel: 'x',
  path,
  kind,
  reason: `${kind} reason`,
});
const roots = [{ path: '/m', dev: 1, files: 100 }];
const g = (o: Partial<DeleteGuardInput>): DeleteGuardInput => ({
  orphans: 1,
  outputs: 100,
  problems: [],
  roots,
  force: false,
  ...o,
});

describe('deleteVerdict', () => {
  it.each([
    [
      '1. nothing to delete: allowed, whatever else is wrong',
      g({ orphans: 0, problems: [problem('unreadable')], outputs: 0 }),
      true,
    ],
    [
      '2. an unreadable folder: refused, even with --force',
      g({ problems: [problem('unreadable', '/m/locked')], force: true }),
      /^1 folder\(s\) or link\(s\) could not be read \(first: \/m\/locked: unreadable reason\); their sources may still exist$/,
    ],
    [
      '2. a dangling link: refused',
      g({ problems: [problem('not-followed'), problem('dangling-link', '/m/l')] }),
      /first: \/m\/l: dangling-link reason/,
    ],
    [
      '3. an empty source folder: refused, even with --force',
      g({ problems: [problem('empty-root', '/mnt/share')], force: true }),
      'source folder /mnt/share is empty (is it mounted?)',
    ],
    [
      '4. a source folder on another device than last run: refused, even with --force',
      g({ previousRoots: [{ path: '/m', dev: 2 }], force: true }),
      'source folder /m is on another device than in the last run (a mount changed)',
    ],
    ['4. same device as last run: not this rule', g({ previousRoots: [{ path: '/m', dev: 1 }] }), true],
    [
      '4. a root with no previous one at its position: not this rule',
      g({ roots: [...roots, { path: '/n', dev: 9, files: 1 }], previousRoots: [{ path: '/m', dev: 1 }] }),
      true,
    ],
    ['5. --force: allowed beyond any limit', g({ orphans: 100, force: true }), true],
    [
      '7. more than the default 10%: refused',
      g({ orphans: 11 }),
      /^11 output\(s\) would be deleted, more than --max-delete 10% \(10 of 100\); /,
    ],
    ['7. exactly the default 10%: allowed', g({ orphans: 10 }), true],
    [
      '7. more than a --max-delete count: refused',
      g({ orphans: 6, maxDelete: { count: 5 } }),
      /more than --max-delete 5; give a larger/,
    ],
    ['7. a --max-delete percentage rounds down', g({ orphans: 3, outputs: 15, maxDelete: { percent: 20 } }), true],
    [
      '7. ... and one more is refused',
      g({ orphans: 4, outputs: 15, maxDelete: { percent: 20 } }),
      /more than --max-delete 20% \(3 of 15\)/,
    ],
    ['6. every output, with the default limit: refused', g({ orphans: 4, outputs: 4 }), false],
    [
      '6. every output with --max-delete 100%: allowed (it was asked for)',
      g({ orphans: 4, outputs: 4, maxDelete: { percent: 100 } }),
      true,
    ],
    ['8. otherwise: allowed', g({ orphans: 1 }), true],
  ] as [string, DeleteGuardInput, boolean | string | RegExp][])('%s', (_n, input, want) => {
    const v = deleteVerdict(input);
    if (typeof want === 'boolean') return expect(v.allowed).toBe(want);
    expect(v.allowed).toBe(false);
    expect(v.allowed ? '' : v.reason).toMatch(want);
  });

  it('6. every output, with the default limit: refused with its own reason', () => {
    const v = deleteVerdict(g({ orphans: 4, outputs: 4 }));
    expect(v.allowed ? '' : v.reason).toBe(
      'every output (4) would be deleted; give --max-delete 100% or --force if that is meant',
    );
  });
});

describe('parseMaxDelete', () => {
  it.each([
    ['a whole number is a count', '25', { count: 25 }],
    ['zero is a count', '0', { count: 0 }],
    ['a number given as a number', 30, { count: 30 }],
    ['a percentage', '10%', { percent: 10 }],
    ['a fractional percentage', '12.5%', { percent: 12.5 }],
    ['100% is the most', '100%', { percent: 100 }],
    ['surrounding spaces are ignored', ' 7 ', { count: 7 }],
  ] as [string, string | number, object][])('%s', (_n, v, want) => {
    expect(parseMaxDelete(v)).toEqual(want);
  });

  it.each([
    ['a fractional count', '2.5'],
    ['a negative count', '-1'],
    ['over 100%', '101%'],
    ['a word', 'all'],
    ['nothing', ''],
    ['a space before %', '10 %'],
  ])('rejects %s, naming the value', (_n, v) => {
    expect(() => parseMaxDelete(v)).toThrow(`got "${v.trim()}"`);
  });
});
