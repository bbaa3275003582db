/**
 * The settled stamp (src/run/settled.ts): a run that found nothing to do lets the next identical run end
 * after a walk and a stat per file, with the same summary and without reading the manifest; anything
 * that could change the plan (a file, an output, a folder image, an option, a killed run's journal, a
 * replaced manifest, a failing source) takes the full run again. The tests run in order on one library.
 */
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type ConvertOptions, type RunResult } from '../dist/src/index.js';
import { cover, readBack, tmp, track } from './helpers.js';

let lib: string;
let out: string;
const STAMP = '.audiofan-settled.json';

/** Run, and say whether it ended settled (the log's `settled` event). */
async function run(extra: Partial<ConvertOptions> = {}): Promise<{ r: RunResult; settled: boolean }> {
  const events: string[] = [];
  const log = (o: object) => events.push((o as { event?: string }).event ?? '');
  const logger = { debug: log, info: log, warn: log, error: log };
  const r = await convertLibrary({
    sources: [lib],
    output: out,
    presets: ['mp3-v4', 'opus-64'],
    jobs: 2,
    logger,
    ...extra,
  });
  return { r, settled: events.includes('settled') };
}
const stamped = () =>
  stat(join(out, STAMP)).then(
    () => true,
    () => false,
  );
/** After a run that changed something: a full no-op run (which stamps), then the next one is settled. */
async function settle() {
  const full = await run();
  expect(full.settled).toBe(false);
  expect(await stamped()).toBe(true);
  await settledNext();
  return full;
}
/** The next run ends early. */
async function settledNext() {
  expect((await run()).settled).toBe(true);
}

beforeAll(async () => {
  lib = await tmp('settled-src');
  out = await tmp('settled-out');
  for (const i of [1, 2, 3])
    await track(join(lib, 'Album', `0${i}.flac`), { seconds: 1, seed: i, tags: { TITLE: `t${i}`, ALBUM: 'A' } });
  await writeFile(join(lib, 'Album', 'notes.txt'), 'liner notes');
  const first = await run();
  expect(first.r.summary.outputsEncoded).toBe(6);
  expect(await stamped(), 'a run that encoded leaves no stamp').toBe(false);
});

describe('a settled library', () => {
  it('the first no-op reads the manifest and stamps; the next ends early with the same summary and records', async () => {
    const full = await run();
    expect(full.settled).toBe(false);
    expect(await stamped()).toBe(true);
    const manifestBefore = await stat(join(out, 'audiofan-manifest.json'));
    const fast = await run();
    expect(fast.settled).toBe(true);
    const { wallSeconds: _a, ...a } = full.r.summary;
    const { wallSeconds: _b, ...b } = fast.r.summary;
    expect(b).toEqual(a);
    expect(fast.r.exitCode).toBe(0);
    // The records, read from the manifest when asked for, are those the full run returned.
    expect(fast.r.sources.map((s) => [s.path, s.outputs.map((x) => [x.path, x.action, x.size])])).toEqual(
      full.r.sources.map((s) => [s.path, s.outputs.map((x) => [x.path, x.action, x.size])]),
    );
    expect(new Set(fast.r.actions.map((x) => x.action))).toEqual(new Set(['keep']));
    expect(fast.r.actions).toHaveLength(6);
    const manifestAfter = await stat(join(out, 'audiofan-manifest.json'));
    expect(manifestAfter.mtimeMs).toBe(manifestBefore.mtimeMs);
  });

  it('an output deleted: the full run re-encodes it', async () => {
    await rm(join(out, 'opus-64', 'Album', '02.opus'));
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary).toMatchObject({ outputsEncoded: 1, outputsKept: 5 });
    expect(await stamped(), 'a run that changed something removes the stamp').toBe(false);
    await settle();
  });

  it('an output modified in place (same size, new mtime): re-encoded', async () => {
    const f = join(out, 'mp3-v4', 'Album', '01.mp3');
    await utimes(f, new Date(), new Date(Date.now() - 60_000));
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary).toMatchObject({ outputsEncoded: 1 });
    await settle();
  });

  it('a source touched (mtime only): the full run re-reads it, nothing is redone', async () => {
    const t = new Date(Date.now() - 3_600_000);
    await utimes(join(lib, 'Album', '03.flac'), t, t);
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary).toMatchObject({ outputsEncoded: 0, outputsRetagged: 0, outputsKept: 6 });
    // It re-read the file (the manifest records the new mtime): a change, so no stamp yet.
    await settle();
  });

  it('a source added: encoded', async () => {
    await track(join(lib, 'Album', '04.flac'), { seconds: 1, seed: 4, tags: { TITLE: 't4', ALBUM: 'A' } });
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary).toMatchObject({ outputsEncoded: 2 });
    await settle();
  });

  it('a folder image added: the outputs get it (retag)', async () => {
    await cover(join(lib, 'Album', 'cover.jpg'));
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary.outputsRetagged).toBeGreaterThan(0);
    expect((await readBack(join(out, 'mp3-v4', 'Album', '01.mp3'))).common.picture).toHaveLength(1);
    await settle();
  });

  it('another option (--no-loudness): the full run', async () => {
    const r = await run({ loudness: false });
    expect(r.settled).toBe(false);
    expect(r.r.summary.outputsRetagged).toBe(8);
    await run();
    await settle();
  });

  it('a non-empty journal (a killed run) is folded by the full run', async () => {
    const journal = join(out, '.audiofan-journal.ndjson');
    await writeFile(journal, '{"torn":');
    const r = await run();
    expect(r.settled).toBe(false);
    await settledNext();
  });

  it('a manifest rewritten by someone else: the stamp no longer vouches for it', async () => {
    const path = join(out, 'audiofan-manifest.json');
    const m = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, `${JSON.stringify(m, null, 1)}\n`);
    const r = await run();
    expect(r.settled).toBe(false);
    expect(r.r.summary.outputsKept).toBe(8);
    await settledNext();
  });

  it('--dry-run and --force never end early', async () => {
    expect((await run({ dryRun: true })).settled).toBe(false);
    const forced = await run({ force: true });
    expect(forced.settled).toBe(false);
    expect(forced.r.summary.outputsEncoded).toBe(8);
  });

  it('a failing source: no stamp is written, so it is retried every run', async () => {
    await settle();
    const good = await readFile(join(lib, 'Album', '01.flac'));
    await writeFile(join(lib, 'Album', '05.flac'), good.subarray(0, 200));
    const first = await run();
    expect(first.r.summary.failedSources).toBe(1);
    const again = await run();
    expect(again.settled).toBe(false);
    expect(again.r.summary.failedSources).toBe(1);
    expect(await stamped()).toBe(false);
  });
});
