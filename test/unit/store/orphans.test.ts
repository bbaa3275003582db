/**
 * orphans.ts: which recorded outputs are orphans (pure, by source key) and how deleting them treats the disk.
 */
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputFolder } from '../../../src/store/contain.js';
import type { ManifestOutput, ManifestSource } from '../../../src/store/manifest.js';
import { deleteOrphans, findOrphans, orphanKey, type Orphan } from '../../../src/store/orphans.js';
import { FLAC, MP3, output, plan, recorded, recordedSource, source } from '../builders.js';

const KEY = '0\0A/01.flac';
const flacOut = recorded();
const mp3Out = recorded({ preset: 'mp3-v0', presetHash: 'h-mp3-v0', path: 'mp3-v0/A/01.mp3' });
const previous = (outs: ManifestOutput[] = [flacOut, mp3Out]) =>
  new Map<string, ManifestSource>([[KEY, recordedSource(outs)]]);
const planned = (...ps: (typeof FLAC)[]) => [
  plan(
    source({ key: KEY }),
    ps.map((p) => output(p)),
  ),
];
const renamed = (ps: ReturnType<typeof planned>) =>
  ps.map((p) => ({ ...p, outputs: p.outputs.map((o) => ({ ...o, rel: `${o.rel}.new` })) }));
const found = (...r: Parameters<typeof findOrphans>) => findOrphans(...r).map((o) => [o.output.preset, o.reason]);

describe('findOrphans', () => {
  it.each([
    ['every output still planned: no orphans', previous(), planned(FLAC, MP3), new Set([KEY]), ['flac', 'mp3-v0'], []],
    [
      'source gone: each output it made',
      previous(),
      [],
      new Set<string>(),
      ['flac'],
      [
        ['flac', 'source is gone or no longer selected'],
        ['mp3-v0', 'source is gone or no longer selected'],
      ],
    ],
    ['source present but failed to read: its outputs stay', previous(), [], new Set([KEY]), ['flac', 'mp3-v0'], []],
    [
      'preset dropped from -p',
      previous(),
      planned(FLAC),
      new Set([KEY]),
      ['flac'],
      [['mp3-v0', 'preset no longer selected']],
    ],
    [
      'name changed (preset still selected, another path)',
      previous(),
      renamed(planned(FLAC, MP3)),
      new Set([KEY]),
      ['flac', 'mp3-v0'],
      [
        ['flac', 'output name changed (layout or source path)'],
        ['mp3-v0', 'output name changed (layout or source path)'],
      ],
    ],
    [
      'only outputs with size and mtime were made',
      previous([recorded({ size: undefined }), recorded({ preset: 'mp3-v0', mtimeMs: undefined })]),
      [],
      new Set<string>(),
      [],
      [],
    ],
    [
      'matched by key, not path: a moved library keeps its outputs',
      new Map([[KEY, recordedSource([flacOut], { path: '/old/A/01.flac' })]]),
      planned(FLAC),
      new Set([KEY]),
      ['flac'],
      [],
    ],
  ] as [string, Map<string, ManifestSource>, ReturnType<typeof planned>, Set<string>, string[], string[][]][])(
    '%s',
    (_n, prev, plans, present, ids, want) => {
      expect(found(prev, plans, present, ids)).toEqual(want);
    },
  );

  it('a source where the scan could not look (unknown) is not orphaned; others still are', () => {
    const prev = new Map([
      [KEY, recordedSource([flacOut])],
      ['0\0B/02.flac', recordedSource([flacOut], { path: '/m/B/02.flac' })],
    ]);
    const orphans = findOrphans(prev, [], new Set(), ['flac'], (k) => k === KEY);
    expect(orphans.map((o) => [o.key, o.source])).toEqual([['0\0B/02.flac', '/m/B/02.flac']]);
  });

  it('orphanKey: source key, preset and path, NUL-delimited', () => {
    expect(orphanKey(KEY, { preset: 'flac', path: 'flac/a.flac' })).toBe(`${KEY}\0flac\0flac/a.flac`);
  });
});

describe('deleteOrphans (on a temporary folder)', () => {
  let base: string;
  let out: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'audiofan-unit-orphans-'));
    out = join(base, 'out');
    await mkdir(out);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  /** Write a file and return the orphan recording it as audiofan wrote it. */
  const made = async (rel: string): Promise<Orphan> => {
    await mkdir(join(out, rel, '..'), { recursive: true });
    await writeFile(join(out, rel), 'audio');
    const st = await stat(join(out, rel));
    return {
      source: '/m/x.flac',
      key: 'k',
      reason: 'gone',
      output: recorded({ path: rel, size: st.size, mtimeMs: st.mtimeMs }),
    };
  };

  it('deletes an untouched orphan and every folder it leaves empty, but not the output folder', async () => {
    const o = await made('flac/Artist/Album/01.flac');
    const r = await deleteOrphans(new OutputFolder(out), [o]);
    expect(r).toEqual({ deleted: [o], left: [] });
    expect(await readdir(out)).toEqual([]);
  });

  it.each([
    ['size', { size: 999 }],
    ['mtime', { mtimeMs: 1 }],
  ])('a file whose %s differs from the record was modified since: left alone', async (_n, change) => {
    const o = await made('flac/01.flac');
    const r = await deleteOrphans(new OutputFolder(out), [{ ...o, output: { ...o.output, ...change } }]);
    expect(r.left.map((x) => x.why)).toEqual(['it was modified after audiofan wrote it']);
    expect(await readdir(join(out, 'flac'))).toEqual(['01.flac']);
  });

  it("a user's file stops the climb: emptied folders below it go, its own folder stays", async () => {
    const o = await made('flac/Artist/Album/01.flac');
    await writeFile(join(out, 'flac/Artist/notes.txt'), 'mine');
    await deleteOrphans(new OutputFolder(out), [o]);
    expect(await readdir(join(out, 'flac/Artist'))).toEqual(['notes.txt']);
  });

  it('an orphan already gone counts as deleted, and its empty folder is removed', async () => {
    const o = await made('flac/A/01.flac');
    await rm(join(out, 'flac/A/01.flac'));
    expect((await deleteOrphans(new OutputFolder(out), [o])).deleted).toEqual([o]);
    expect(await readdir(out)).toEqual([]);
  });

  it('never deletes through a symlinked folder that leads outside the output folder', async () => {
    const elsewhere = join(base, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, '01.flac'), 'audio');
    const st = await stat(join(elsewhere, '01.flac'));
    await mkdir(join(out, 'flac'));
    await symlink(elsewhere, join(out, 'flac/A'));
    const o: Orphan = {
      source: '/m/x.flac',
      key: 'k',
      reason: 'gone',
      output: recorded({ path: 'flac/A/01.flac', size: st.size, mtimeMs: st.mtimeMs }),
    };
    const r = await deleteOrphans(new OutputFolder(out), [o]);
    expect(r.deleted).toEqual([]);
    expect(r.left[0].why).toMatch(/^not deleted: its folder leads to .*elsewhere, outside the output folder/);
    expect(await readdir(elsewhere)).toEqual(['01.flac']);
  });
});
