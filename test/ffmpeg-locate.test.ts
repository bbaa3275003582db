import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertCapabilities, inspectFfmpeg, loadPresets, locateFfmpeg, selectPresets } from '../dist/src/index.js';
import { cli, ffmpegBinaries, tmp } from './helpers.js';

/** A stand-in ffmpeg that answers -version/-encoders like the real one but has no libopus. */
async function fakeFfmpeg(dir: string): Promise<string> {
  const p = join(dir, 'ffmpeg');
  await writeFile(
    p,
    `#!/bin/sh
case "$2" in
  -version) echo "ffmpeg version 9.9-fake Copyright"; echo "configuration: --enable-libmp3lame";;
  -encoders) printf ' A..... flac                 FLAC\\n A..... libmp3lame           MP3\\n';;
  -filters) printf ' ... astats            A->A       stats\\n ... aresample         A->A       resample\\n';;
  -muxers) printf '  E flac            raw FLAC\\n  E mp3             MP3\\n  E null            null\\n  E opus            Ogg Opus\\n';;
esac
`,
  );
  await chmod(p, 0o755);
  return p;
}

describe('ffmpeg resolution', () => {
  it('order: explicit option, then FFMPEG_PATH, then ffmpeg-static (if its binary exists), PATH, @ffmpeg-installer', async () => {
    const dir = await tmp('locate');
    const fake = await fakeFfmpeg(dir);
    expect(locateFfmpeg(fake, { FFMPEG_PATH: '/nope' })).toMatchObject({ path: fake, source: 'option' });
    expect(locateFfmpeg(undefined, { FFMPEG_PATH: fake, PATH: '' })).toMatchObject({ path: fake, source: 'env' });
    // ffmpeg-static's download is blocked here, so its path exists in name only and is passed over.
    const viaPath = locateFfmpeg(undefined, { PATH: dir });
    expect(viaPath).toMatchObject({ path: fake, source: 'path' });
    expect(viaPath.passedOver.join()).toMatch(/ffmpeg-static/);
    expect(locateFfmpeg(undefined, { PATH: '/nonexistent' })).toMatchObject({ source: 'ffmpeg-installer' });
  });

  it('an explicit binary that does not exist is an error, never a silent fallback', () => {
    expect(() => locateFfmpeg('/no/such/ffmpeg', {})).toThrow(
      expect.objectContaining({ code: 'E_FFMPEG_MISSING', message: expect.stringContaining('/no/such/ffmpeg') }),
    );
    expect(() => locateFfmpeg(undefined, { FFMPEG_PATH: '/no/such/ffmpeg' })).toThrow(/FFMPEG_PATH/);
  });

  it('a missing encoder is named, with the presets that need it and the binary', async () => {
    const fake = await fakeFfmpeg(await tmp('locate'));
    const info = await inspectFfmpeg(fake);
    const presets = selectPresets(loadPresets(), ['mp3-v0', 'opus-128', 'opus-64']);
    expect(() => assertCapabilities({ path: fake, source: 'option', passedOver: [] }, info, presets)).toThrow(
      expect.objectContaining({
        code: 'E_ENCODER_MISSING',
        message: expect.stringMatching(
          new RegExp(`9\\.9-fake at ${fake}.*encoder libopus \\(needed by opus-128, opus-64\\)`),
        ),
      }),
    );
  });

  it('a run with that binary stops before any work with exit 2 and says what is missing', async () => {
    const dir = await tmp('locate');
    const fake = await fakeFfmpeg(dir);
    await mkdir(join(dir, 'src'));
    const r = await cli([join(dir, 'src'), '-o', join(dir, 'out'), '-p', 'opus-128', '--ffmpeg', fake]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_ENCODER_MISSING.*encoder libopus/);
  });

  it('`audiofan doctor` reports binary, origin, version and encoders; exits non-zero when something is missing', async () => {
    const good = await cli(['doctor']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ffmpeg: +\//m);
    expect(good.stdout).toMatch(/^found via: (path|ffmpeg-installer|env|ffmpeg-static)/m);
    expect(good.stdout).toMatch(/ok +encoder libopus/);
    const fake = await fakeFfmpeg(await tmp('locate'));
    const bad = await cli(['doctor', '--ffmpeg', fake]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/MISSING +encoder libopus/);
    expect(bad.stdout).toMatch(/version: +9\.9-fake/);
  });

  it('every ffmpeg on this machine is found and inspected (the version matrix is not a matrix of one)', async () => {
    const bins = ffmpegBinaries();
    expect(bins.length).toBeGreaterThanOrEqual(2);
    const versions = new Set(await Promise.all(bins.map(async (b) => (await inspectFfmpeg(b.path)).version)));
    expect(versions.size).toBe(bins.length);
  });
});
