/**
 * Nothing lossless ignored: every container and lossless codec ffmpeg decodes is a master, whatever a tag parser
 * makes of it; lossy files stay skipped; files that are not sources are listed with the reason. Each master is
 * made here by the ffmpeg under test (or by the helpers, for what ffmpeg will not write), converted to FLAC and
 * MP3, and every output decoded back. Runs on every ffmpeg of the machine (4.1 and 5.1).
 *
 * Gaps, documented: TAK, Shorten, Monkey's Audio and WMA Lossless cannot be made here (ffmpeg decodes them but
 * has no encoder for them, and Debian 12 packages none, bar a Java Monkey's Audio library); they take the same path
 * as TTA (codec from ffmpeg, tags from ffmpeg when music-metadata cannot read them).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLibrary, type ManifestSource, type RunResult } from '../dist/src/index.js';
import { cover, ffmpegBinaries, pcmMd5, readBack, tmp } from './helpers.js';
import { factChunk, flacFramesOnly, wavPlainFormat, wavWithChunks, writeDsf } from './lossless-helpers.js';

const run = promisify(execFile);
const SINE = "aevalsrc='0.4*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)':s=44100:d=1";
/**
 * The same tones rounded to 24 bits, for the 32-bit integer and float containers: a 24-bit signal in a wider
 * container converts exactly to 24-bit FLAC and is proven so. Full-precision content is not a master that fails to
 * convert but a depth the target cannot hold (E_SOURCE_DEPTH, MP3 still made): bit-depth.test.ts covers that rule.
 */
const SINE24 =
  "aevalsrc='floor(0.4*sin(2*PI*440*t)*8388608)/8388608|floor(0.3*sin(2*PI*660*t)*8388608)/8388608':s=44100:d=1";

/** name -> ffmpeg output arguments (after the lavfi input), or a function making the file. */
type Make = string[] | ((ff: string, dir: string, name: string) => Promise<void>);

/** How a master must come out: bit-exact FLAC (samples that fit 24 bits) or just converted and decoded (DSD). */
interface Case {
  make: Make;
  bitExact: boolean;
  /** The lavfi input, when not SINE. */
  input?: string;
}

const ffmpegMake = (ff: string, path: string, args: string[], input = SINE) =>
  run(ff, [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    input,
    ...args,
    '-metadata',
    'title=T',
    `file:${path}`,
  ]);

/** A master made by ffmpeg as WAV, then changed by `edit`. */
const editedWav =
  (args: string[], edit: (b: Buffer) => Buffer, input = SINE) =>
  async (ff: string, dir: string, name: string): Promise<void> => {
    const tmpPath = join(dir, `${name}.tmp.wav`);
    await ffmpegMake(ff, tmpPath, args, input);
    await writeFile(join(dir, name), edit(await readFile(tmpPath)));
    await import('node:fs/promises').then((fs) => fs.rm(tmpPath));
  };

const LOSSLESS: Record<string, Case> = {
  'pcm_u8.wav': { make: ['-c:a', 'pcm_u8'], bitExact: true },
  'pcm_s8.aiff': { make: ['-c:a', 'pcm_s8'], bitExact: true },
  'pcm_s16le.wav': { make: ['-c:a', 'pcm_s16le'], bitExact: true },
  'pcm_s16be.aiff': { make: ['-c:a', 'pcm_s16be'], bitExact: true },
  'pcm_s24le.wav': { make: ['-c:a', 'pcm_s24le'], bitExact: true },
  'pcm_s24be.aiff': { make: ['-c:a', 'pcm_s24be'], bitExact: true },
  'pcm_s32le.wav': { make: ['-c:a', 'pcm_s32le'], input: SINE24, bitExact: true },
  'pcm_s32be.aiff': { make: ['-c:a', 'pcm_s32be'], input: SINE24, bitExact: true },
  'float extensible.wav': { make: ['-c:a', 'pcm_f32le'], input: SINE24, bitExact: true },
  'float fmt 3.wav': {
    make: editedWav(['-c:a', 'pcm_f32le'], (b) => wavPlainFormat(b, 3), SINE24),
    bitExact: true,
  },
  'float64.wav': { make: ['-c:a', 'pcm_f64le'], input: SINE24, bitExact: true },
  'fl32.aifc': { make: ['-c:a', 'pcm_f32be', '-f', 'aiff'], input: SINE24, bitExact: true },
  'sowt.aifc': { make: ['-c:a', 'pcm_s16le', '-f', 'aiff'], bitExact: true },
  'rf64.wav': { make: ['-c:a', 'pcm_s24le', '-rf64', 'always'], bitExact: true },
  'bwf 8-bit extensible.wav': { make: ['-ar', '96000', '-c:a', 'pcm_u8', '-write_bext', '1'], bitExact: true },
  'fact chunk.wav': {
    make: editedWav(['-c:a', 'pcm_s16le'], (b) => wavWithChunks(b, [factChunk(44100)])),
    bitExact: true,
  },
  'zero-size chunk.wav': {
    make: editedWav(['-c:a', 'pcm_s16le'], (b) => wavWithChunks(b, [{ id: 'junk', data: Buffer.alloc(0) }])),
    bitExact: true,
  },
  'wave64.w64': { make: ['-c:a', 'pcm_s24le'], bitExact: true },
  'core audio.caf': { make: ['-c:a', 'pcm_s24le'], bitExact: true },
  'flac in mp4.mp4': { make: ['-c:a', 'flac', '-strict', '-2'], bitExact: true },
  'ogg flac.oga': { make: ['-c:a', 'flac'], bitExact: true },
  'matroska flac.mka': { make: ['-c:a', 'flac'], bitExact: true },
  'frames only.flac': {
    make: async (ff, dir, name) => {
      const full = join(dir, `${name}.full.flac`);
      await ffmpegMake(ff, full, ['-c:a', 'flac']);
      await writeFile(join(dir, name), flacFramesOnly(await readFile(full)));
      await import('node:fs/promises').then((fs) => fs.rm(full));
    },
    bitExact: true,
  },
  'true audio.tta': { make: ['-c:a', 'tta'], bitExact: true },
  'wavpack.wv': { make: ['-c:a', 'wavpack', '-sample_fmt', 's16p'], bitExact: true },
  'wavpack float.wv': { make: ['-c:a', 'wavpack', '-sample_fmt', 'fltp'], input: SINE24, bitExact: true },
  'alac.m4a': { make: ['-c:a', 'alac'], bitExact: true },
  'truehd.mka': { make: ['-c:a', 'truehd', '-strict', '-2'], bitExact: true },
  'mlp.mka': { make: ['-c:a', 'mlp', '-strict', '-2'], bitExact: true },
  'dsd64.dsf': { make: async (_ff, dir, name) => writeDsf(join(dir, name), { seconds: 1 }), bitExact: false },
};

/**
 * Full-precision 32-bit content is a master too, but deeper than 24-bit FLAC (what ffmpeg 4.1 and 5.1 write):
 * the FLAC fails naming the depth, the MP3 is made.
 */
const DEEP: Record<string, string[]> = {
  'full precision s32.wav': ['-c:a', 'pcm_s32le'],
  'full precision float.wav': ['-c:a', 'pcm_f32le'],
};

const LOSSY: Record<string, string[]> = {
  'lossy.mp3': ['-c:a', 'libmp3lame'],
  'lossy aac.m4a': ['-c:a', 'aac'],
  'lossy.opus': ['-c:a', 'libopus'],
  'lossy vorbis.ogg': ['-c:a', 'libvorbis'],
};

/** WavPack hybrid (lossy .wv plus a .wvc correction file) needs the wavpack program (apt-get install wavpack). */
async function wavpackCli(): Promise<boolean> {
  return run('wavpack', ['--version']).then(
    () => true,
    () => false,
  );
}

for (const bin of ffmpegBinaries().filter((b) => !b.label.startsWith('ffmpeg-static'))) {
  describe(`every lossless master converts (${bin.label})`, () => {
    let lib: string;
    let out: string;
    let result: RunResult;
    let hybrid = false;
    const entry = (name: string): ManifestSource => {
      const s = result.sources.find((x) => x.path === join(lib, name));
      if (!s) throw new Error(`no manifest entry for ${name}`);
      return s;
    };

    beforeAll(async () => {
      lib = await tmp('lossless-src');
      out = await tmp('lossless-out');
      for (const [name, c] of Object.entries(LOSSLESS)) {
        if (Array.isArray(c.make)) await ffmpegMake(bin.path, join(lib, name), c.make, c.input);
        else await c.make(bin.path, lib, name);
      }
      for (const [name, args] of Object.entries({ ...DEEP, ...LOSSY }))
        await ffmpegMake(bin.path, join(lib, name), args);
      hybrid = await wavpackCli();
      if (hybrid) {
        await ffmpegMake(bin.path, join(lib, 'hybrid.wav.tmp'), ['-c:a', 'pcm_s16le', '-f', 'wav']);
        await run('wavpack', ['-q', '-b256', '-c', join(lib, 'hybrid.wav.tmp'), '-o', join(lib, 'wavpack hybrid.wv')]);
        await import('node:fs/promises').then((fs) => fs.rm(join(lib, 'hybrid.wav.tmp')));
      }
      await cover(join(lib, 'cover.jpg'));
      await writeFile(join(lib, 'notes.txt'), 'liner notes');
      await writeFile(join(lib, 'mystery.bin'), Buffer.alloc(5000, 7));
      result = await convertLibrary({
        sources: [lib],
        output: out,
        presets: ['flac', 'mp3-v4'],
        ffmpegPath: bin.path,
        jobs: 2,
      });
    }, 240_000);

    it.each(Object.keys(LOSSLESS))('%s is a master: both outputs made and decodable', async (name) => {
      const s = entry(name);
      expect({ status: s.status, code: s.code, message: s.message }).toEqual({
        status: 'ok',
        code: undefined,
        message: undefined,
      });
      expect(s.outputs.map((o) => [o.preset, o.status])).toEqual([
        ['flac', 'ok'],
        ['mp3-v4', 'ok'],
      ]);
      for (const o of s.outputs) {
        const m = await readBack(join(out, o.path));
        expect(m.format.duration).toBeGreaterThan(0.9);
        expect(m.format.duration).toBeLessThan(1.2);
      }
      if (LOSSLESS[name].bitExact) {
        expect(await pcmMd5(join(out, s.outputs[0].path))).toBe(await pcmMd5(join(lib, name)));
        // audiofan proved it too, and recorded the proof.
        expect(s.outputs[0].pcmMd5).toMatch(/^[a-z0-9]+:[0-9a-f]{32}$/);
      }
    });

    it.each(Object.keys(DEEP))('%s is a master deeper than 24-bit FLAC: E_SOURCE_DEPTH, the MP3 made', async (name) => {
      const s = entry(name);
      expect(s.outputs.map((o) => [o.preset, o.status, o.code])).toEqual([
        ['flac', 'failed', 'E_SOURCE_DEPTH'],
        ['mp3-v4', 'ok', undefined],
      ]);
      expect(s.outputs[0].message).toMatch(/32-bit (integer|float) master in 24-bit FLAC would lose bits/);
      expect((await readBack(join(out, s.outputs[1].path))).format.duration).toBeGreaterThan(0.9);
    });

    it('the codec recorded is the one ffmpeg decodes', () => {
      expect(entry('rf64.wav').codec).toBe('pcm_s24le');
      expect(entry('sowt.aifc').codec).toBe('pcm_s16le');
      expect(entry('flac in mp4.mp4').codec).toBe('flac');
      expect(entry('float fmt 3.wav').codec).toBe('pcm_f32le');
      expect(entry('dsd64.dsf').codec).toMatch(/^dsd_lsbf/);
    });

    it('a master whose tags music-metadata cannot read converts with the tags ffmpeg reports, and a warning', async () => {
      const s = entry('true audio.tta');
      expect(s.warnings?.join()).toMatch(
        /music-metadata cannot read its tags .*: converted with the \d+ tag value\(s\) ffmpeg reports/,
      );
      const m = await readBack(join(out, 'mp3-v4', 'true audio.mp3'));
      expect(m.common.title).toBe('T');
    });

    it('DSD64 becomes 24-bit 88.2 kHz PCM, low-passed: the tone kept, the ultrasonic noise gone', async () => {
      const s = entry('dsd64.dsf');
      expect(s).toMatchObject({ sampleRate: 88200, bitsPerSample: 24, decode: { sampleRate: 352800 } });
      const flac = join(out, 'flac', 'dsd64.flac');
      const m = await readBack(flac);
      expect(m.format).toMatchObject({ sampleRate: 88200, bitsPerSample: 24 });
      // The FLAC is the policy's PCM, proven equal to it (the master hashed after the same filter), and says so.
      const o = s.outputs.find((x) => x.preset === 'flac');
      expect(o?.pcmMd5).toMatch(/^s24:[0-9a-f]{32}$/);
      expect(o?.warnings?.join()).toMatch(/DSD master: .*24-bit 88\.2 kHz PCM .*not to the 1-bit stream/);
      const rms = async (path: string, filter: string) => {
        const { stderr } = await run(bin.path, [
          '-nostdin',
          '-i',
          path,
          '-af',
          `${filter}astats=metadata=0`,
          '-f',
          'null',
          '-',
        ]);
        return Number(/Overall[\s\S]*?RMS level dB: (-?[\d.]+|-inf)/.exec(stderr)?.[1].replace('-inf', '-999'));
      };
      // The left channel's 1 kHz tone at 0.4 of full modulation: about -11 dB RMS over both channels.
      expect(await rms(flac, '')).toBeGreaterThan(-14);
      const above = 'highpass=f=34000,highpass=f=34000,highpass=f=34000,';
      const cleaned = await rms(flac, above);
      // The same DSD merely resampled keeps the modulator's noise up there, some 30 dB stronger.
      const raw = await rms(join(lib, 'dsd64.dsf'), `aresample=88200,${above}`);
      expect(cleaned).toBeLessThan(-90);
      expect(raw).toBeGreaterThan(cleaned + 20);
    });

    it.each(Object.keys(LOSSY))('%s stays skipped as lossy', (name) => {
      expect(entry(name)).toMatchObject({ status: 'skipped', code: 'E_SOURCE_LOSSY', outputs: [] });
    });

    it('a WavPack hybrid file (lossy without its correction file) is skipped as lossy', (ctx) => {
      if (!hybrid) ctx.skip(); // needs the wavpack program: apt-get install wavpack (in .ci/run)
      expect(entry('wavpack hybrid.wv')).toMatchObject({ status: 'skipped', code: 'E_SOURCE_LOSSY' });
      expect(entry('wavpack hybrid.wv').message).toMatch(/WavPack hybrid/);
    });

    it('the manifest lists every other file it saw, with why it was ignored', () => {
      expect(result.ignored).toEqual([
        { path: join(lib, 'cover.jpg'), root: lib, rel: 'cover.jpg', reason: 'not audio (a .jpg file)' },
        {
          path: join(lib, 'mystery.bin'),
          root: lib,
          rel: 'mystery.bin',
          size: 5000,
          mtimeMs: expect.any(Number),
          reason: 'not audio (content: not a known media format)',
        },
        { path: join(lib, 'notes.txt'), root: lib, rel: 'notes.txt', reason: 'not audio (a .txt file)' },
      ]);
    });

    it('a second run opens nothing and changes nothing', async () => {
      const again = await convertLibrary({
        sources: [lib],
        output: out,
        presets: ['flac', 'mp3-v4'],
        ffmpegPath: bin.path,
      });
      // The FLACs of the deeper masters failed for a reason another run does not change: they are not retried.
      expect(result.summary).toMatchObject({ failedSources: Object.keys(DEEP).length });
      expect(again.summary).toMatchObject({ outputsEncoded: 0, failedSources: Object.keys(DEEP).length });
      expect(again.ignored).toEqual(result.ignored);
      expect(again.sources.map((s) => [s.path, s.status, s.code])).toEqual(
        result.sources.map((s) => [s.path, s.status, s.code]),
      );
    });
  });
}
