/**
 * ffmpeg's log through a file: a run given a log directory writes its verbose log there (-report) and only
 * progress and warnings come through the pipe, so the loudness meter's line every 100 ms costs node no pipe
 * reads. What the run reports (meter, closing stats, the line that explains a failure) must equal the pipe's,
 * on every ffmpeg here, and the directory must be gone afterwards; one audiofan did not make is left alone.
 */
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandSpec, type RunOutcome, runCommand } from '../dist/src/ffmpeg/adapter.js';
import { LoudnessMeter } from '../dist/src/tagging/loudness.js';
import { ffmpegBinaries, tmp, track } from './helpers.js';

const SECONDS = 6;
const METER_LINE = /Parsed_ebur128.*\bt: [\d.]+\s+TARGET:/;

/** A stand-in ffmpeg that copies what the real one writes to its stderr pipe into `copy`. */
async function teeingFfmpeg(dir: string, real: string, copy: string): Promise<string> {
  const path = join(dir, 'ffmpeg-tee.sh');
  await writeFile(path, `#!/bin/bash\nexec '${real}' "$@" 2> >(tee -a '${copy}' >&2)\n`);
  await chmod(path, 0o755);
  return path;
}

async function run(ffmpegPath: string, spec: CommandSpec) {
  const meter = new LoudnessMeter('sample');
  let meterLines = 0;
  const outcome: RunOutcome = await runCommand(ffmpegPath, spec, {
    onLine: (l) => {
      meter.line(l);
      if (METER_LINE.test(l)) meterLines++;
    },
  });
  return { outcome, loudness: meter.result(), meterLines };
}

describe.each(ffmpegBinaries())('$label', ({ path: real }) => {
  const setup = async (name: string) => {
    const dir = await tmp(`log-${name}-`);
    const master = await track(join(dir, 'master.flac'), { seconds: SECONDS, seed: 3 }, real);
    const spec = (logDir?: string, opusArgs = ['-c:a', 'libopus', '-b:a', '96k', '-f', 'ogg']): CommandSpec => ({
      input: `file:${master}`,
      outputs: [
        {
          target: `file:${join(dir, 'out.mp3')}`,
          args: ['-map', '0:a:0', '-c:a', 'libmp3lame', '-q:a', '2', '-f', 'mp3'],
        },
        { target: `file:${join(dir, 'out.opus')}`, args: ['-map', '0:a:0', ...opusArgs] },
        { target: 'pipe:1', args: ['-map', '0:a:0', '-af', 'ebur128=peak=sample:framelog=verbose', '-f', 'null'] },
      ],
      ...(logDir ? { logDir } : {}),
    });
    return { dir, spec };
  };

  it('the meter and closing stats come from the file, equal to the pipe, and the pipe carries no meter line', async () => {
    const { dir, spec } = await setup('same');
    const copy = join(dir, 'stderr.txt');
    const logDir = join(dir, '.audiofan-1-0000abcd.mp3.log.partial');
    const filed = await run(await teeingFfmpeg(dir, real, copy), spec(logDir));
    const piped = await run(real, spec());
    expect(filed.outcome.exitCode).toBe(0);
    expect(filed.outcome.decodedSamples).toBe(SECONDS * 44100);
    expect(filed.outcome.encodedSamples).toEqual(piped.outcome.encodedSamples);
    // ~10 blocks a second; ffmpeg 4.1 resamples the meter's input to 48 kHz, so count loosely.
    expect(filed.meterLines).toBeGreaterThanOrEqual(SECONDS * 10 - 2);
    expect(filed.meterLines).toBe(piped.meterLines);
    expect(filed.loudness).toEqual(piped.loudness);
    expect(filed.loudness?.integratedLufs).toBeLessThan(-5);
    const pipe = await readFile(copy, 'utf8');
    expect(pipe).toMatch(/time=/); // progress still comes through the pipe
    expect(pipe).not.toMatch(/TARGET:/);
    expect(existsSync(logDir)).toBe(false);
  });

  it("a failing output's cause is read from the file as from the pipe", async () => {
    const { dir, spec } = await setup('fail');
    const bad = ['-c:a', 'libopus', '-frame_duration', '7', '-f', 'ogg'];
    const logDir = join(dir, '.audiofan-1-0000abcd.mp3.log.partial');
    const filed = await run(real, spec(logDir, bad));
    const piped = await run(real, spec(undefined, bad));
    expect(filed.outcome.exitCode).not.toBe(0);
    expect(filed.outcome.headline).toMatch(/frame duration/i);
    expect(filed.outcome.headline).toBe(piped.outcome.headline);
    expect(existsSync(logDir)).toBe(false);
  });

  it('FFREPORT in the environment names the report and its level instead: the run keeps its log on the pipe', async () => {
    const { dir, spec } = await setup('ffreport');
    const logDir = join(dir, '.audiofan-1-0000abcd.mp3.log.partial');
    const before = process.env.FFREPORT;
    process.env.FFREPORT = `file=${join(dir, 'theirs-%t.log')}:level=32`;
    try {
      const r = await run(real, spec(logDir));
      expect(r.outcome.exitCode).toBe(0);
      expect(r.outcome.decodedSamples).toBe(SECONDS * 44100);
      expect(r.meterLines).toBeGreaterThanOrEqual(SECONDS * 10 - 2);
      expect(existsSync(logDir)).toBe(false);
    } finally {
      if (before === undefined) delete process.env.FFREPORT;
      else process.env.FFREPORT = before;
    }
  });

  it('an ffmpeg named by a relative path is still found, though ffmpeg starts in the log directory', async () => {
    const { dir, spec } = await setup('relative');
    await mkdir(join(dir, 'bin'));
    await symlink(real, join(dir, 'bin', 'ffmpeg'));
    const logDir = join(dir, '.audiofan-1-0000abcd.mp3.log.partial');
    const r = await run(relative(process.cwd(), join(dir, 'bin', 'ffmpeg')), spec(logDir));
    expect(r.outcome.exitCode, r.outcome.headline).toBe(0);
    expect(r.outcome.decodedSamples).toBe(SECONDS * 44100);
    expect(existsSync(logDir)).toBe(false);
  });

  it('a log directory that already exists is not ours: the run uses the pipe and leaves it as it was', async () => {
    const { dir, spec } = await setup('foreign');
    const logDir = join(dir, 'somebody-elses');
    await mkdir(logDir);
    await writeFile(join(logDir, 'keep.txt'), 'mine');
    const r = await run(real, spec(logDir));
    expect(r.outcome.exitCode).toBe(0);
    expect(r.outcome.decodedSamples).toBe(SECONDS * 44100);
    expect(r.meterLines).toBeGreaterThanOrEqual(SECONDS * 10 - 2);
    expect(await readdir(logDir)).toEqual(['keep.txt']); // no report written into it
    expect(await readFile(join(logDir, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
