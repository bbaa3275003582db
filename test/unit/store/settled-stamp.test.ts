/**
 * settled-stamp.ts: a stamp is read back only when it is whole and of this version (anything else means the
 * full run), and the manifest identity it vouches for changes when the manifest is rewritten.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileIdentity,
  readStamp,
  removeStamp,
  sameIdentity,
  STAMP_NAME,
  writeStamp,
} from '../../../src/store/settled-stamp.js';
import type { RunSummary } from '../../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'audiofan-unit-stamp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stamp = {
  digest: 'ab'.repeat(32),
  manifest: { size: 10, mtimeMs: 1, ino: 2 },
  summary: { sources: 1 } as RunSummary,
  outputs: ['mp3-v4/a.mp3'],
};

describe('the settled stamp', () => {
  it('written, then read back as written', async () => {
    expect(await writeStamp(dir, stamp)).toBe(true);
    expect(await readStamp(dir)).toEqual({ stampVersion: 1, ...stamp });
  });

  it.each([
    ['not JSON (cut short)', '{"stampVersion":1,"dig'],
    ['another version', JSON.stringify({ ...stamp, stampVersion: 2 })],
    ['no digest', JSON.stringify({ ...stamp, stampVersion: 1, digest: undefined })],
    ['an output that is not a path', JSON.stringify({ ...stamp, stampVersion: 1, outputs: [1] })],
    ['null', 'null'],
  ])('%s: no stamp', async (_n, text) => {
    writeFileSync(join(dir, STAMP_NAME), text);
    expect(await readStamp(dir)).toBeUndefined();
  });

  it('none after removal', async () => {
    await writeStamp(dir, stamp);
    await removeStamp(dir);
    expect(await readStamp(dir)).toBeUndefined();
  });

  it("a file's identity changes when it is rewritten (size or a new inode)", async () => {
    const f = join(dir, 'm.json');
    writeFileSync(f, '{}');
    const a = await fileIdentity(f);
    expect(sameIdentity(a, await fileIdentity(f))).toBe(true);
    writeFileSync(`${f}.tmp`, '{ }');
    rmSync(f);
    writeFileSync(f, '{ }');
    expect(sameIdentity(a, await fileIdentity(f))).toBe(false);
    expect(sameIdentity(undefined, await fileIdentity(f))).toBe(false);
    expect(await fileIdentity(join(dir, 'missing'))).toBeUndefined();
  });
});
