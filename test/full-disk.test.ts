/**
 * A full output disk (a small tmpfs): the run still finishes, says "No space left on device" with the
 * path, leaves no temporaries, keeps the old manifest when only the manifest cannot be written, and
 * no worker thread dies when a tag write hits the full disk.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headline } from '../dist/src/ffmpeg/adapter.js';
import { convertLibrary, type ManifestOutput } from '../dist/src/index.js';
import { foldJournal, Journal, type JournalEntry } from '../dist/src/store/journal.js';
import { ffmpeg, listFiles, readBack, tmp, track } from './helpers.js';

const run = promisify(execFile);
const mounted: string[] = [];

/** Mount a tmpfs of `kib` KiB on a fresh temp folder; rejects when this machine cannot (not root, no mount). */
async function smallDisk(kib: number): Promise<string> {
  const dir = await tmp('full-disk-out');
  await run('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

// Mounting needs root (or CAP_SYS_ADMIN): without it the tests are skipped, saying why.
const cannotMount = await smallDisk(64).then(
  () => undefined,
  (e: Error) => `cannot mount a tmpfs here (${e.message.split('\n')[0]})`,
);
if (cannotMount) console.warn(`full-disk tests skipped: ${cannotMount}`);

afterAll(async () => {
  for (const dir of mounted) await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
  await Promise.all(mounted.map((d) => rm(d, { recursive: true, force: true })));
});

const NO_SPACE = 'No space left on device';
const allOutputs = (r: { sources: { outputs: ManifestOutput[] }[] }) => r.sources.flatMap((s) => s.outputs);
const partials = async (dir: string) => (await listFiles(dir)).filter((f) => f.endsWith('.partial'));

describe.skipIf(!!cannotMount)('full output disk', () => {
  let lib: string;
  let small: number;

  beforeAll(async () => {
    lib = await tmp('full-disk-src');
    await track(join(lib, 'album', '01 Ünïcode – big.flac'), { seconds: 40, seed: 1 });
    await track(join(lib, 'album', "02 it's small.flac"), { seconds: 8, seed: 2 });
    await track(join(lib, 'album', '-03 small.flac'), { seconds: 8, seed: 3 });
    small = Math.max(
      (await stat(join(lib, 'album', "02 it's small.flac"))).size,
      (await stat(join(lib, 'album', '-03 small.flac'))).size,
    );
  });

  it('fills mid-run: the run finishes, failures name the path and the full disk, no temporaries, finished outputs complete', async () => {
    // Room for the two small outputs (each briefly twice over while its tags are written), never for the big one.
    const out = await smallDisk(Math.ceil((small * 3.5) / 1024));
    const result = await convertLibrary({ sources: [lib], output: out, presets: ['flac'], jobs: 1 });
    expect(result.exitCode).toBe(1);
    const outputs = allOutputs(result);
    expect(outputs).toHaveLength(3);
    expect(outputs.filter((o) => o.code === 'E_WORKER_CRASHED')).toEqual([]);

    const big = outputs.find((o) => o.path.includes('big'))!;
    expect(big.status).toBe('failed');
    expect(big.code).toBe('E_DISK_FULL');
    expect(big.message).toContain(join(out, big.path));
    expect(big.message).toContain(NO_SPACE);
    // ffmpeg's own words are kept, and its headline is the line that names the cause.
    expect(big.stderrTail).toContain(NO_SPACE);
    expect(big.message).not.toContain('Conversion failed');

    for (const o of outputs.filter((x) => x.status === 'failed')) {
      expect(o.message, o.path).toContain(NO_SPACE);
      expect(o.message, o.path).toContain(join(out, o.path));
    }
    const ok = outputs.filter((o) => o.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    for (const o of ok) expect((await readBack(join(out, o.path))).format.duration, o.path).toBeCloseTo(8, 1);
    expect(await partials(out)).toEqual([]);
    const onDisk = JSON.parse(await readFile(join(out, 'audiofan-manifest.json'), 'utf8'));
    expect(allOutputs(onDisk).find((o: ManifestOutput) => o.path === big.path).code).toBe('E_DISK_FULL');
  });

  it('only the manifest cannot be written: E_MANIFEST_WRITE, the old manifest intact, the journal kept', async () => {
    const libSmall = await tmp('full-disk-src2');
    await track(join(libSmall, 'a.flac'), { seconds: 3, seed: 4 });
    await track(join(libSmall, 'b.flac'), { seconds: 3, seed: 5 });
    const out = await smallDisk(1024);
    const first = await convertLibrary({ sources: [libSmall], output: out, presets: ['opus-64'] });
    expect(first.exitCode).toBe(0);
    const manifestPath = join(out, 'audiofan-manifest.json');
    const before = await readFile(manifestPath);
    // A touched source is read again, so the manifest must be rewritten; nothing needs encoding.
    const later = new Date(Date.now() + 5000);
    await utimes(join(libSmall, 'a.flac'), later, later);
    // Fill the disk but for one page: the run's lock file takes it, so the manifest's temp finds none.
    const fs = await statfs(out);
    await writeFile(join(out, 'filler'), Buffer.alloc((fs.bavail - 1) * fs.bsize));

    const err = await convertLibrary({ sources: [libSmall], output: out, presets: ['opus-64'] }).then(
      () => {
        throw new Error('the run should have failed to write its manifest');
      },
      (e: unknown) => e as Error & { code: string; file?: string },
    );
    expect(err.code).toBe('E_MANIFEST_WRITE');
    expect(err.message).toContain(manifestPath);
    expect(err.message).toContain(NO_SPACE);
    expect(err.message).toContain(join(out, '.audiofan-journal.ndjson'));
    expect(await readFile(manifestPath)).toEqual(before);
    expect(await partials(out)).toEqual([]);
    await stat(join(out, '.audiofan-journal.ndjson')); // kept for the next run
    expect((await listFiles(out)).filter((f) => f === '.audiofan.lock')).toEqual([]);

    // Space again: the next run writes the manifest and drops the journal.
    await rm(join(out, 'filler'));
    const again = await convertLibrary({ sources: [libSmall], output: out, presets: ['opus-64'] });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(await readFile(manifestPath, 'utf8')).startedAt).toBe(again.startedAt);
    expect((await listFiles(out)).filter((f) => f.includes('journal'))).toEqual([]);
  });

  it('a full disk at the tag write fails the output, not the worker thread; FLAC fills it in ffmpeg, room reserved', async () => {
    const libArt = await tmp('full-disk-art');
    await track(join(libArt, 'song.flac'), { seconds: 5, seed: 6 });
    // Noise does not compress: a ~3 MB PNG the tags cannot take, though the audio fits.
    await run(ffmpeg(), [
      '-nostdin',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'nullsrc=s=1400x1400',
      '-vf',
      'geq=r=random(1)*255:g=random(2)*255:b=random(3)*255',
      '-frames:v',
      '1',
      join(libArt, 'cover.png'),
    ]);
    const coverSize = (await stat(join(libArt, 'cover.png'))).size;
    const audio = (await stat(join(libArt, 'song.flac'))).size;
    expect(coverSize).toBeGreaterThan(audio * 2 + (512 << 10));
    const out = await smallDisk(Math.ceil((audio * 2 + (256 << 10)) / 1024));

    // MP3 and Opus are tagged by a copy after the encode: the copy hits the full disk.
    const result = await convertLibrary({
      sources: [libArt],
      output: out,
      presets: ['mp3-128', 'opus-64'],
      jobs: 1,
    });
    expect(result.exitCode).toBe(1);
    const outputs = allOutputs(result);
    expect(outputs.map((o) => o.preset).sort()).toEqual(['mp3-128', 'opus-64']);
    for (const o of outputs) {
      expect(o.status, o.preset).toBe('failed');
      expect(o.code, `${o.preset}: ${o.message}`).toBe('E_DISK_FULL');
      expect(o.message).toContain(join(out, o.path));
      expect(o.message).toContain(NO_SPACE);
      expect(o.message).toMatch(/tags/);
    }
    expect(await partials(out)).toEqual([]);
    // FLAC asks ffmpeg for room for the cover while encoding (its tags are then written in place): the disk
    // fills in ffmpeg's own write, and that is what the error says.
    const flacOut = await smallDisk(Math.ceil((audio * 2 + (256 << 10)) / 1024));
    const flac = allOutputs(await convertLibrary({ sources: [libArt], output: flacOut, presets: ['flac'], jobs: 1 }));
    expect(flac.map((o) => [o.status, o.code])).toEqual([['failed', 'E_DISK_FULL']]);
    expect(flac[0].message).toContain(join(flacOut, flac[0].path));
    expect(flac[0].message).toMatch(/ffmpeg could not write it/);
    expect(await partials(flacOut)).toEqual([]);
    // The same workers go on: a run on a roomier disk succeeds.
    const roomy = await smallDisk(Math.ceil((audio * 2 + coverSize * 4) / 1024));
    const ok = await convertLibrary({
      sources: [libArt],
      output: roomy,
      presets: ['flac', 'mp3-128', 'opus-64'],
      jobs: 1,
    });
    expect(ok.exitCode).toBe(0);
  });
});

describe.skipIf(!!cannotMount)('the journal on a full disk', () => {
  const entry = (n: number, message = ''): JournalEntry => ({
    source: { path: `/music/${n}.flac`, status: 'ok' },
    output: {
      preset: 'flac',
      presetHash: 'h',
      path: `flac/${n}.flac`,
      status: 'ok',
      action: 'encoded',
      reason: 'new',
      ffmpegVersion: '6',
      message,
    },
  });

  it('a line that does not fit is cut back: E_DISK_FULL names the journal, the lines before and after survive', async () => {
    const out = await smallDisk(64);
    const journal = await Journal.open(out);
    await journal.append(entry(1));
    const fs = await statfs(out);
    await writeFile(join(out, 'filler'), Buffer.alloc(fs.bavail * fs.bsize));
    // Bigger than what is left of the journal's page: part of it is written before the disk says no.
    const err = await journal.append(entry(2, 'x'.repeat(8000))).then(
      () => undefined,
      (e: Error & { code: string }) => e,
    );
    expect(err?.code).toBe('E_DISK_FULL');
    expect(err?.message).toContain(join(out, '.audiofan-journal.ndjson'));
    expect(err?.message).toContain(NO_SPACE);
    await rm(join(out, 'filler'));
    await journal.append(entry(3));
    await journal.close();
    const folded = new Map();
    expect(await foldJournal(out, folded)).toBe(2);
    expect([...folded.keys()].sort()).toEqual(['/music/1.flac', '/music/3.flac']);
  });
});

describe('headline: the stderr line that explains a failure', () => {
  it.each([
    [
      'a full disk: the first line naming it, not the consequences after it',
      [
        'av_interleaved_write_frame(): No space left on device',
        'Error writing trailer of file:/o/x.flac: No space left on device',
        'Error closing file file:/o/x.flac: No space left on device',
        'Conversion failed!',
      ],
      'av_interleaved_write_frame(): No space left on device',
    ],
    [
      'a full disk seen only at the trailer',
      ['Error writing trailer of file:/o/x.flac: No space left on device', 'Conversion failed!'],
      'Error writing trailer of file:/o/x.flac: No space left on device',
    ],
    [
      'any other failure: the last error line, not the closing "Conversion failed!"',
      [
        '[flac @ 0x1] invalid residual',
        'Error while decoding stream #0:0: Invalid data found when processing input',
        'Conversion failed!',
      ],
      'Error while decoding stream #0:0: Invalid data found when processing input',
    ],
    [
      "an encoder that will not open: its own line, not ffmpeg's closing lines after it",
      [
        '[wav @ 0x2] parser not found for codec pcm_s16le, packets or times may be invalid.',
        '[libopus @ 0x3] Invalid channel layout 5.1(side) for specified mapping family 1.',
        'Error initializing output stream 2:0 -- Error while opening encoder for output stream #2:0 - maybe ' +
          'incorrect parameters such as bit_rate, rate, width or height',
        '[libmp3lame @ 0x4] 4 frames left in the queue on closing',
        'Conversion failed!',
      ],
      '[libopus @ 0x3] Invalid channel layout 5.1(side) for specified mapping family 1.',
    ],
    [
      'a refusal without the word "error" (libopus, -frame_duration 7)',
      [
        'Frame duration must be exactly one of: 2.5, 5, 10, 20, 40, 60, 80, 100 or 120.',
        'Error initializing output stream 1:0 -- Error while opening encoder for output stream #1:0',
        'Conversion failed!',
      ],
      'Frame duration must be exactly one of: 2.5, 5, 10, 20, 40, 60, 80, 100 or 120.',
    ],
    ['nothing but the closing line', ['Conversion failed!'], 'Conversion failed!'],
    ['no stderr at all', [], ''],
  ])('%s', (_name, lines, expected) => {
    expect(headline(lines)).toBe(expected);
  });
});
