/**
 * What a person at a terminal sees, read off a real pseudo-terminal (see screen.ts): the progress
 * display while a library converts (counts of outputs and masters that move early, the files being
 * encoded, no ETA in the first seconds), the closing table with the space against the masters, a
 * no-op run without "0.0x realtime", orphans listed and recorded as orphans, the dry run's grouped
 * plan, an interrupt that reads as one, and the demo naming its manifest once.
 */
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { bin, cli, repo, tmp, track } from './helpers.js';
import { inPty } from './screen.js';
import type { Manifest } from '../dist/src/index.js';

const node = process.execPath;
const LENGTHS = [2, 4, 6, 8, 10, 12];
let lib: string;
let out: string;
const args = () => [node, bin, lib, '-o', out, '-p', 'flac,mp3-v0', '-j', '2'];
const manifest = async (): Promise<Manifest> => JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
const name = (i: number) => `${String(i + 1).padStart(2, '0')} Track.flac`;

beforeAll(async () => {
  lib = await tmp('term-lib');
  out = await tmp('term-out');
  await Promise.all(
    LENGTHS.map((seconds, i) =>
      track(join(lib, 'Album', name(i)), {
        seconds,
        seed: i,
        // The last track is a single: deleting it later changes no album's loudness, so nothing else.
        tags: { TITLE: `Track ${i + 1}`, ALBUM: i === 5 ? 'Single' : 'Album', ARTIST: 'Artist', ALBUMARTIST: 'Artist' },
      }),
    ),
  );
});

/** The numbers of a progress frame's first line. */
function counts(frame: string) {
  const m = /(Encoding|Retagging|Stopping) +\[[#.]+\] +(\d+)% +(\d+)\/(\d+) outputs +(\d+)\/(\d+) masters/.exec(frame);
  return m
    ? { phase: m[1], pct: +m[2], outputs: +m[3], outputsTotal: +m[4], masters: +m[5], mastersTotal: +m[6] }
    : undefined;
}

describe('on a terminal', () => {
  it('the progress display: counts of outputs and masters that move early, the files encoding now, no early ETA', async () => {
    const r = await inPty(args());
    expect(r.code, r.raw).toBe(0);
    const frames = r.screen.frames.filter((f) => counts(f)?.phase === 'Encoding');
    expect(frames.length).toBeGreaterThan(2);
    expect(counts(frames[0])).toMatchObject({ outputs: 0, outputsTotal: 12, masters: 0, mastersTotal: 6 });
    // The files being encoded, relative to the source folder, with their presets and position.
    expect(frames.join('\n')).toMatch(/^ {2}> Album\/\d\d Track\.flac {2}flac, mp3-v0 {2}\d:\d\d\/0:\d\d$/m);
    // The shortest track is done long before the audio is: the count moves early (not all at the end).
    const firstDone = frames.map(counts).find((c) => c!.outputs > 0)!;
    expect(firstDone.pct).toBeLessThan(35);
    expect(frames.map(counts).some((c) => c!.masters > 0 && c!.masters < 6)).toBe(true);
    // No ETA while there is too little to go on (at 100 % of the audio there is nothing left to estimate: the
    // run can get there within a second, and then "ETA 0:00" is a fact).
    const early = frames.filter((f) => /elapsed 0:0[01]\b/.test(f) && counts(f)!.pct < 100);
    expect(early.length).toBeGreaterThan(0);
    for (const f of early) expect(f).not.toMatch(/ETA/);
    // The closing screen: the progress lines gone, a table with the space against the masters.
    const end = r.screen.text();
    expect(end).not.toMatch(/Encoding|Retagging/);
    expect(end).toMatch(/^preset +encoded +retagged +up to date +failed +orphans +written +size +of masters$/m);
    expect(end).toMatch(/^flac +6 +0 +0 +0 +0 +\d+\.\d [kM]B +\d+\.\d [kM]B +\d+%$/m);
    expect(end).toMatch(/^all +12 +0 +0 +0 +0 /m);
    expect(end).toMatch(/^masters: \d+\.\d [kM]B in 6 lossless source\(s\)$/m);
    expect(end).toMatch(
      /^12 output\(s\) encoded, 0 retagged, 0 up to date, 0 failed\.\n0:42 of audio converted in [\d.]+ s \([\d.]+x realtime\)\.$/m,
    );
    expect(end.match(/Manifest: /g)).toHaveLength(1);
  });

  it('nothing to do: no progress, no "0.0x realtime", every output up to date in the table and the line alike', async () => {
    const r = await inPty(args());
    expect(r.code, r.raw).toBe(0);
    expect(r.raw).not.toMatch(/realtime/);
    const end = r.screen.text();
    expect(end).toMatch(/^all +0 +0 +12 +0 +0 /m);
    expect(end).toMatch(/^0 output\(s\) encoded, 0 retagged, 12 up to date, 0 failed\.\nno audio converted in/m);
  });

  it('a source deleted: its outputs are recorded as orphans (though nothing else changed), listed and counted alike', async () => {
    await rm(join(lib, 'Album', name(5)));
    const quiet = await cli([lib, '-o', out, '-p', 'flac,mp3-v0', '--json']);
    expect(quiet.code, quiet.stderr).toBe(0);
    const logged = quiet.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.event === 'orphan');
    expect(logged.map((l) => `${l.status} ${l.path} ${l.reason}`).sort()).toEqual([
      'orphan flac/Album/06 Track.flac orphan: source is gone or no longer selected',
      'orphan mp3-v0/Album/06 Track.mp3 orphan: source is gone or no longer selected',
    ]);
    const m = await manifest();
    const schema = JSON.parse(await readFile(join(repo, 'dist/src/schemas/manifest.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    expect(m.summary.presets?.flac).toMatchObject({ encoded: 0, retagged: 0, kept: 5, orphans: 1 });
    const recorded = m.sources.flatMap((s) => s.outputs).filter((x) => x.status === 'orphan');
    expect(recorded.map((x) => `${x.path}: ${x.reason}`).sort()).toEqual([
      'flac/Album/06 Track.flac: orphan: source is gone or no longer selected',
      'mp3-v0/Album/06 Track.mp3: orphan: source is gone or no longer selected',
    ]);
    const r = await inPty(args());
    const end = r.screen.text();
    expect(end).toMatch(
      /^Orphans \(2\): .*\n {2}flac\/Album\/06 Track\.flac {2}\(source is gone or no longer selected\)\n {2}mp3-v0\/Album\/06 Track\.mp3 /m,
    );
    expect(end).toMatch(/^all +0 +0 +10 +0 +2 /m);
    expect(end).toMatch(/^0 output\(s\) encoded, 0 retagged, 10 up to date, 0 failed\.$/m);
    expect(end).toMatch(/^2 orphaned output\(s\) kept\.$/m);
  });

  it('a preset dropped (nothing else changed): its outputs are recorded as orphans; chosen again, they are ok', async () => {
    const dropped = await cli([lib, '-o', out, '-p', 'flac', '--json']);
    expect(dropped.code, dropped.stderr).toBe(0);
    const mp3 = (m: Manifest) => m.sources.flatMap((s) => s.outputs).filter((x) => x.preset === 'mp3-v0');
    expect(mp3(await manifest()).map((x) => `${x.status} ${x.reason}`)).toEqual([
      ...Array(5).fill('orphan orphan: preset no longer selected'),
      'orphan orphan: source is gone or no longer selected',
    ]);
    const again = await cli([lib, '-o', out, '-p', 'flac,mp3-v0', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(mp3(await manifest()).map((x) => `${x.status} ${x.action} ${x.reason}`)).toEqual([
      ...Array(5).fill('ok kept up to date'),
      'orphan kept orphan: source is gone or no longer selected',
    ]);
  });

  it('--dry-run in plain text: the retags and deletions pending, grouped with reasons and totals', async () => {
    const f = join(lib, 'Album', name(0));
    await writeFlacTags(
      f,
      `${f}.new`,
      [
        ['TITLE', 'Renamed'],
        ['ALBUM', 'Album'],
        ['ARTIST', 'Artist'],
        ['ALBUMARTIST', 'Artist'],
      ],
      [],
    );
    await rename(`${f}.new`, f);
    const r = await inPty([...args(), '--dry-run', '--delete', '--max-delete', '100%']);
    expect(r.code, r.raw).toBe(0);
    const text = r.screen.text();
    expect(text).toMatch(
      /^retag \(tags and art rewritten, audio untouched\): 2\n {2}flac\/Album\/01 Track\.flac {2}\(tags or art changed\)$/m,
    );
    expect(text).toMatch(
      /^delete \(orphans: .*\): 2\n {2}flac\/Album\/06 Track\.flac {2}\(source is gone or no longer selected\)$/m,
    );
    expect(text).toMatch(/^keep \(up to date\): 8$/m);
    expect(text).toMatch(
      /^Totals: 0 encode, 2 retag, 2 delete, 0 orphan, 8 keep, 0 skip, 0 fail\.\n4 change\(s\) to make\.$/m,
    );
    expect(text).not.toMatch(/nothing to do/i);
  });
});

describe('interrupted on a terminal', () => {
  let long: string;
  beforeAll(async () => {
    long = await tmp('term-long');
    await Promise.all([0, 1, 2, 3].map((i) => track(join(long, 'Album', name(i)), { seconds: 40, seed: i })));
  });

  it('Ctrl-C: the display says it is stopping; the summary says interrupted, with no failure', async () => {
    const dest = await tmp('term-long-out');
    const r = await inPty([node, bin, long, '-o', dest, '-p', 'flac,mp3-v0,opus-128', '-j', '1'], {
      // Any position inside a track, not a narrow window: an idle machine encodes at ~20x realtime and
      // jumps from 0:00 to 0:11 between two frames.
      interrupt: /> Album\/\d\d Track\.flac .* 0:(0[1-9]|[1-3]\d)\/0:40/,
    });
    expect(r.code, `exit ${r.code}\n${r.raw.slice(-3000)}`).toBe(130);
    expect(r.screen.frames.join('\n')).toMatch(/^Stopping +\[/m);
    const end = r.screen.text();
    expect(end).toMatch(/SIGINT: stopping ffmpeg and recording what finished/);
    expect(end).toMatch(/^preset +encoded +retagged +up to date +failed +interrupted +orphans/m);
    expect(end).toMatch(/, 0 failed, [1-9]\d* not done \(interrupted\)\.$/m);
    expect(end).toMatch(/^Interrupted: finished outputs are kept and recorded/m);
    expect(end).not.toMatch(/FAILED|E_CANCELLED/);
    const m = JSON.parse(await readFile(join(dest, 'audiofan-manifest.json'), 'utf8')) as Manifest;
    expect(m.summary).toMatchObject({ outputsFailed: 0, failedSources: 0 });
    expect(m.summary.outputsInterrupted).toBeGreaterThan(0);
  });
});

describe('audiofan demo on a terminal', () => {
  it('names its manifest once', async () => {
    const dir = await tmp('term-demo');
    const r = await inPty([node, bin, 'demo', join(dir, 'demo')]);
    expect(r.code, r.raw).toBe(0);
    expect(r.screen.text().match(/Manifest: /g)).toHaveLength(1);
  });
});
