/**
 * contain.ts: containment by real path (on a temporary folder with real symbolic links), and output/source overlap.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputFolder, overlap } from '../../../src/store/contain.js';

let base: string;
let out: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'audiofan-unit-contain-'));
  out = join(base, 'out');
  for (const d of ['out/mp3/Album', 'out/flac', 'elsewhere', 'out-sibling', 'src/lib'])
    mkdirSync(join(base, d), { recursive: true });
  writeFileSync(join(base, 'out/mp3/Album/01.mp3'), 'x');
  symlinkSync(join(base, 'elsewhere'), join(base, 'out/mp3/Out')); // a folder leading outside
  symlinkSync(join(base, 'out-sibling'), join(base, 'out/mp3/Sib')); // outside, sharing the folder's name as a prefix
  symlinkSync(join(base, 'out/flac'), join(base, 'out/mp3/Inside')); // a folder leading elsewhere inside
  symlinkSync(join(base, 'elsewhere/x.mp3'), join(base, 'out/mp3/link.mp3')); // the file itself a link (dangling)
  symlinkSync(join(base, 'out/mp3/Album/01.mp3'), join(base, 'out/mp3/inner.mp3'));
  symlinkSync(out, join(base, 'out-link'));
  symlinkSync(join(base, 'src/lib'), join(base, 'lib-link'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('OutputFolder.outside', () => {
  const outside = (to: string) =>
    new RegExp(`^its folder leads to .*/${to}, outside the output folder, through a symbolic link$`);
  it.each([
    ['a file inside', 'mp3/Album/01.mp3', undefined],
    ['a file not written yet', 'mp3/Album/02.mp3', undefined],
    ['nested folders not made yet', 'mp3/New/Deeper/01.mp3', undefined],
    ['a file straight in the output folder', 'audiofan-manifest.json', undefined],
    ['a symlinked folder that stays inside', 'mp3/Inside/01.flac', undefined],
    ['`..` out of the folder', '../elsewhere/01.mp3', 'the path leaves the output folder'],
    ['`..` inside the path, ending outside', 'mp3/../../out-sibling/01.mp3', 'the path leaves the output folder'],
    ['an absolute path elsewhere', '/etc/passwd', 'the path leaves the output folder'],
    ['the output folder itself', '.', 'the path leaves the output folder'],
    ['a symlinked folder leading out', 'mp3/Out/01.mp3', outside('elsewhere')],
    ['not-yet-made folders under a symlinked folder leading out', 'mp3/Out/New/01.mp3', outside('elsewhere/New')],
    ["a link to a sibling whose name starts with the folder's", 'mp3/Sib/01.mp3', outside('out-sibling')],
    ['the final path a symbolic link (dangling)', 'mp3/link.mp3', 'it is a symbolic link'],
    ['the final path a symbolic link (to a file inside)', 'mp3/inner.mp3', 'it is a symbolic link'],
  ] as [string, string, string | RegExp | undefined][])('%s', (_n, file, want) => {
    const why = new OutputFolder(out).outside(file);
    if (want instanceof RegExp) expect(why).toMatch(want);
    else expect(why).toBe(want);
  });

  it('an output folder given through a link checks against its real path', () => {
    const f = new OutputFolder(join(base, 'out-link'));
    expect(f.real).toBe(new OutputFolder(out).real);
    expect([f.outside('mp3/Album/01.mp3'), f.outside('mp3/Out/01.mp3')]).toEqual([
      undefined,
      expect.stringMatching(outside('elsewhere')),
    ]);
  });
});

describe('overlap', () => {
  it.each([
    ['unrelated folders', 'out', 'src/lib', undefined],
    ['the same folder', 'out', 'out', 'same'],
    ['the same folder through a link', 'out-link', 'out', 'same'],
    ['output inside source', 'src/lib/converted', 'src', 'output inside source'],
    ['output inside source, not made yet', 'src/lib/new/converted', 'src', 'output inside source'],
    ['output inside source through a link', 'lib-link', 'src', 'output inside source'],
    ['source inside output', 'src', 'src/lib', 'source inside output'],
    ['a sibling sharing a name prefix is not inside', 'out', 'out-sibling', undefined],
  ] as [string, string, string, string | undefined][])('%s', (_n, o, s, want) => {
    expect(overlap(join(base, o), join(base, s))).toBe(want);
  });

  // The output folder may not exist yet (--create): a link among its existing parents is still followed.
  it('output inside source through a link, not made yet', () => {
    expect(overlap(join(base, 'lib-link/converted'), join(base, 'src/lib'))).toBe('output inside source');
  });
});
