/**
 * Identifying a file with ffmpeg fails cleanly: a hung ffmpeg is killed at the timeout, a crashed or missing one is
 * named, and the source gets a specific error naming it; a run never waits forever on one file.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifyMedia } from '../dist/src/ffmpeg/identify.js';
import { probeFile } from '../dist/src/sources/probe.js';
import { ffmpeg, ffmpegProcessesMentioning, tmp, track } from './helpers.js';

/** An "ffmpeg" that answers -version and friends like the real one, and does `behaviour` when asked to read a file. */
async function fakeFfmpeg(dir: string, behaviour: string): Promise<string> {
  const path = join(dir, 'ffmpeg');
  await writeFile(path, `#!/bin/sh\ncase "$*" in *" -i file:"*) ${behaviour};; esac\nexec "${ffmpeg()}" "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

describe('identifying a source with ffmpeg', () => {
  it('a hung ffmpeg is killed at the timeout: E_SOURCE_PROBE_FAILED naming the file, no process left', async () => {
    const dir = await tmp('identify-hang');
    const song = await track(join(dir, 'song.flac'), { seconds: 1 });
    const hanging = await fakeFfmpeg(dir, 'exec sleep 60');
    const started = Date.now();
    await expect(identifyMedia(hanging, song, 500)).rejects.toMatchObject({
      kind: 'timeout',
      message: 'ffmpeg did not identify it within 0.5 s',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    const r = await probeFile(song, { ffmpegPath: hanging, timeoutMs: 500 });
    expect(r).toMatchObject({ kind: 'failed', code: 'E_SOURCE_PROBE_FAILED' });
    expect((r as { message: string }).message).toBe(`${song}: ffmpeg did not identify it within 0.5 s`);
    expect(await ffmpegProcessesMentioning(dir)).toEqual([]);
  });

  it('a crashing ffmpeg, and one that cannot be started, are named', async () => {
    const dir = await tmp('identify-crash');
    const song = await track(join(dir, 'song.flac'), { seconds: 1 });
    const crashing = await fakeFfmpeg(dir, 'kill -SEGV $$');
    await expect(identifyMedia(crashing, song)).rejects.toMatchObject({
      kind: 'failed',
      message: 'ffmpeg was killed by SIGSEGV while identifying it',
    });
    const missing = join(dir, 'no-such-ffmpeg');
    expect(await probeFile(song, { ffmpegPath: missing })).toMatchObject({
      kind: 'failed',
      code: 'E_SOURCE_PROBE_FAILED',
      message: `${song}: ffmpeg (${missing}) could not be started: ENOENT`,
    });
  });

  it("a file ffmpeg cannot read is E_SOURCE_CORRUPT with ffmpeg's reason", async () => {
    const dir = await tmp('identify-bad');
    const bad = join(dir, 'bad.wav');
    await writeFile(bad, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunkjunk', 'latin1'));
    const r = await probeFile(bad, { ffmpegPath: ffmpeg() });
    expect(r).toMatchObject({ kind: 'failed', code: 'E_SOURCE_CORRUPT' });
    expect((r as { message: string }).message).toMatch(/bad\.wav: not readable as audio .*: ffmpeg cannot read it: \S/);
  });
});
