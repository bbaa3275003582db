/**
 * Damaged masters (issue 9, point 5): FLACs with bytes flipped inside frames, with the last frame cut short, and
 * with a STREAMINFO MD5 that does not match are E_SOURCE_CORRUPT with the reason and get no outputs, unless
 * --accept-damaged, when the outputs are made and the manifest and summary name the damaged masters. The faulty
 * files of the FLAC conformance suite each end as a specific error or a correct output, checked against libFLAC.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type RunResult } from '../dist/src/index.js';
import { cli, ffmpegBinaries, listFiles, pcmMd5, repo, tmp } from './helpers.js';
import { FLAC_CLI, writeWav } from './pcm-files.js';

const exec = promisify(execFile);

/** Where the audio frames start: after the last metadata block. */
function framesStart(b: Buffer): number {
  let o = 4;
  for (let last = false; !last; ) {
    last = (b[o] & 0x80) !== 0;
    o += 4 + (b.readUInt32BE(o) & 0xffffff);
  }
  return o;
}

/** A clean FLAC made by ffmpeg from a noise WAV (ffmpeg writes the STREAMINFO MD5). */
async function cleanFlac(dir: string, name: string, ffmpegPath: string): Promise<string> {
  const wav = await writeWav(join(dir, `${name}.src.wav`), { bits: 16, seconds: 3, seed: 7 });
  const path = join(dir, `${name}.flac`);
  await exec(ffmpegPath, ['-nostdin', '-v', 'error', '-y', '-i', wav, '-c:a', 'flac', path]);
  await exec('rm', ['-f', wav]);
  return path;
}

async function damage(path: string, how: (b: Buffer, frames: number) => Buffer): Promise<void> {
  const b = await readFile(path);
  await writeFile(path, how(b, framesStart(b)));
}

describe.each(ffmpegBinaries())('damaged FLAC masters on $label', ({ path: ffmpegPath }) => {
  let lib: string;
  let result: RunResult;
  let out: string;

  beforeAll(async () => {
    lib = await tmp('damaged-lib');
    out = await tmp('damaged-out');
    await cleanFlac(lib, 'clean', ffmpegPath);
    await damage(await cleanFlac(lib, 'flipped', ffmpegPath), (b, f) => {
      // Three bytes inside frames (not headers' first bytes): CRC-16 failures.
      for (const at of [0.3, 0.55, 0.8]) b[f + Math.floor((b.length - f) * at)] ^= 0x5a;
      return b;
    });
    await damage(await cleanFlac(lib, 'truncated', ffmpegPath), (b) => b.subarray(0, b.length - 700));
    await damage(await cleanFlac(lib, 'md5-patched', ffmpegPath), (b) => {
      b[26] ^= 0xff; // the first byte of STREAMINFO's MD5
      return b;
    });
    // Other formats: decode errors count the same way (WavPack checks a CRC per block).
    const wv = join(lib, 'blocks-flipped.wv');
    await exec(ffmpegPath, ['-nostdin', '-v', 'error', '-y', '-i', join(lib, 'clean.flac'), '-c:a', 'wavpack', wv]);
    await damage(wv, (b) => {
      for (const at of [0.3, 0.55, 0.8]) b[Math.floor(b.length * at)] ^= 0x5a;
      return b;
    });
    result = await convertLibrary({ sources: [lib], output: out, presets: ['flac', 'mp3-v0'], ffmpegPath });
  });

  const entry = (name: string) =>
    result.sources.find((s) => s.path.endsWith(`/${name.includes('.') ? name : `${name}.flac`}`))!;

  it('a clean master converts, its FLAC proven bit-exact', () => {
    const s = entry('clean');
    expect(s.status).toBe('ok');
    expect(s.damaged).toBeUndefined();
    expect(s.outputs.every((o) => o.status === 'ok')).toBe(true);
    expect(s.outputs.find((o) => o.preset === 'flac')?.pcmMd5).toMatch(/^s16:/);
  });

  it.each([
    ['flipped', /decode error|MD5/],
    ['truncated', /decode error|MD5|STREAMINFO says \d+/],
    ['md5-patched', /does not match the MD5 in its STREAMINFO/],
  ])('%s: E_SOURCE_CORRUPT with the reason, and no output at all', async (name, why) => {
    const s = entry(name);
    expect(s.status).toBe('failed');
    expect(s.code).toBe('E_SOURCE_CORRUPT');
    expect(s.message).toContain(s.path);
    expect(s.message).toMatch(why);
    for (const o of s.outputs) expect(o.code).toBe('E_SOURCE_CORRUPT');
    expect((await listFiles(out)).filter((f) => f.includes(name))).toEqual([]);
  });

  it('a WavPack master with damaged blocks: decode errors make it a specific error too, with no output', async () => {
    const s = entry('blocks-flipped.wv');
    expect(s.status).toBe('failed');
    expect(['E_SOURCE_CORRUPT', 'E_SOURCE_TRUNCATED']).toContain(s.code);
    expect(s.message).toMatch(/damaged/);
    expect((await listFiles(out)).filter((f) => f.includes('blocks-flipped'))).toEqual([]);
  });

  it('--accept-damaged makes the outputs, and the manifest and summary name the damaged masters', async () => {
    const out2 = await tmp('damaged-accept');
    const r = await cli([lib, '-o', out2, '-p', 'flac,mp3-v0', '--accept-damaged', '--ffmpeg', ffmpegPath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(await readFile(join(out2, 'audiofan-manifest.json'), 'utf8'));
    const damaged = m.sources.filter((s: { damaged?: string }) => s.damaged).map((s: { path: string }) => s.path);
    expect(damaged.map((p: string) => p.slice(lib.length + 1)).sort()).toEqual(
      ['flipped.flac', 'blocks-flipped.wv', 'md5-patched.flac', 'truncated.flac'].sort(),
    );
    expect(m.summary.damagedSources).toBe(4);
    for (const s of m.sources)
      for (const o of s.outputs) {
        expect(o.status, o.message).toBe('ok');
        if (s.damaged) expect(o.warnings.join(' ')).toContain('damaged master');
      }
    const summary = r.stderr
      .split('\n')
      .filter((l) => l.includes('"event":"summary"'))
      .map((l) => JSON.parse(l));
    expect(summary[0].damagedSources).toBe(4);
    // The FLAC of the MD5-patched master holds its audio unchanged (only the header lied).
    const s = m.sources.find((x: { path: string }) => x.path.endsWith('md5-patched.flac'));
    const flac = s.outputs.find((o: { preset: string }) => o.preset === 'flac');
    expect(await pcmMd5(join(out2, flac.path))).toBe(await pcmMd5(s.path));
  });
});

const CORPUS = join(repo, '..', 'shared', 'corpus', 'flac-faulty');
/** Errors that name what is wrong with the file (never a crash, a worker death or a cancel). */
const SPECIFIC = [
  'E_SOURCE_CORRUPT',
  'E_SOURCE_TRUNCATED',
  'E_SOURCE_UNSUPPORTED',
  'E_SOURCE_LOSSY',
  'E_NO_AUDIO_DECODED',
  'E_FFMPEG_FAILED',
];

describe.skipIf(!existsSync(CORPUS) || !FLAC_CLI)(
  `the FLAC conformance suite's faulty files (${existsSync(CORPUS) ? 'present' : `absent: ${CORPUS}`}${FLAC_CLI ? '' : '; libFLAC flac not installed'})`,
  () => {
    const files = existsSync(CORPUS) ? (async () => (await readdir(CORPUS)).filter((f) => f.endsWith('.flac')))() : [];
    /** libFLAC's verdict: `flac -t` exits 0 for a stream it accepts. */
    const libflacAccepts = (path: string) =>
      exec(FLAC_CLI!, ['-t', '-s', path]).then(
        () => true,
        () => false,
      );

    describe.each(ffmpegBinaries())('on $label', ({ path: ffmpegPath }) => {
      let result: RunResult;
      let out: string;
      beforeAll(async () => {
        out = await tmp('faulty-out');
        result = await convertLibrary({ sources: [CORPUS], output: out, presets: ['flac', 'mp3-v0'], ffmpegPath });
      }, 300_000);

      it('holds the eleven files', async () => {
        expect(await files).toHaveLength(11);
      });

      it('each ends as a specific error or a correct output; never an unflagged output libFLAC rejects', async () => {
        for (const name of await files) {
          const path = join(CORPUS, name);
          const s = result.sources.find((x) => x.path === path);
          expect(s, `${name}: not in the manifest`).toBeDefined();
          const accepted = await libflacAccepts(path);
          const made = s!.outputs.filter((o) => o.status === 'ok');
          for (const o of s!.outputs.filter((x) => x.status !== 'ok'))
            expect(SPECIFIC, `${name}: ${o.message}`).toContain(o.code);
          if (s!.status !== 'ok' && s!.code) expect(SPECIFIC, `${name}: ${s!.message}`).toContain(s!.code);
          if (!made.length) continue;
          // An output from a stream libFLAC rejects would be unflagged damage: never.
          expect(accepted, `${name}: outputs made from a stream libFLAC rejects`).toBe(true);
          // And a FLAC made from one it accepts holds exactly what libFLAC decodes (raw: a WAV header would
          // repeat a wrong STREAMINFO length).
          const flac = made.find((o) => o.preset === 'flac');
          if (flac) {
            const raw = join(out, `${name}.libflac.raw`);
            const pcm = ['-d', '-s', '-f', '--force-raw-format', '--endian=little', '--sign=signed', '-o', raw, path];
            await exec(FLAC_CLI!, pcm);
            const codec = flac.bitsPerSample === 24 ? 'pcm_s24le' : 'pcm_s16le';
            const want = createHash('md5')
              .update(await readFile(raw))
              .digest('hex');
            expect(await pcmMd5(join(out, flac.path), codec), name).toBe(`MD5=${want}`);
          }
        }
      });
    });
  },
);
