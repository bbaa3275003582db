import { describe, expect, it } from 'vitest';
import { chooseSampleRate, outputRecipe } from '../dist/src/plan/recipe.js';
import { decide, groupJobs, outputRelPath, type PlannedSource, type SourcePlan } from '../dist/src/plan/plan.js';
import { loadPresets, parsePreset } from '../dist/src/presets/presets.js';
import { ffmpegTagArgs } from '../dist/src/tagging/ffmpeg-tags.js';

const presets = loadPresets();
const P = (id: string) => presets.get(id)!;
const src = (o: Partial<PlannedSource> = {}): PlannedSource => ({
  path: '/m/a.flac',
  root: '/m',
  rel: 'a.flac',
  size: 100,
  mtimeMs: 1,
  container: 'FLAC',
  codec: 'FLAC',
  sampleRate: 44100,
  bitsPerSample: 16,
  channels: 2,
  duration: 10,
  tags: [['TITLE', 'T']],
  warnings: [],
  ...o,
});

describe('chooseSampleRate', () => {
  const mp3 = [32000, 44100, 48000];
  it.each([
    ['keeps an allowed rate', mp3, 44100, 44100],
    ['96 kHz goes to 48 kHz (same family), not 44.1', mp3, 96000, 48000],
    ['88.2 kHz goes to 44.1 kHz (same family)', mp3, 88200, 44100],
    ['192 kHz goes to 48 kHz', mp3, 192000, 48000],
    ['176.4 kHz goes to 44.1 kHz', mp3, 176400, 44100],
    ['22.05 kHz is raised to 44.1 kHz', mp3, 22050, 44100],
    ['Opus: everything at 48 kHz', [48000], 44100, 48000],
    ['CD: 96 kHz to 44.1 kHz when 44.1 is all that is allowed', [44100], 96000, 44100],
    ['no list keeps the source rate', undefined, 96000, 96000],
  ])('%s', (_name, allowed, source, want) => {
    expect(chooseSampleRate(allowed as number[] | undefined, source)).toBe(want);
  });
});

describe('outputRecipe', () => {
  const ctx = { soxr: true };
  it('flac-cd leaves a 16-bit/44.1 kHz source untouched (bit-exact: no filter, no format change)', () => {
    const r = outputRecipe(P('flac-cd'), src(), ctx);
    expect(r.args).not.toContain('-af');
    expect(r.args).not.toContain('-sample_fmt');
    expect(r.format).toEqual({ sampleRate: 44100, channels: 2 });
  });
  it('flac-cd resamples 24/96 with soxr at high precision and TPDF-dithers to 16 bits', () => {
    const r = outputRecipe(P('flac-cd'), src({ sampleRate: 96000, bitsPerSample: 24 }), ctx);
    expect(r.args[r.args.indexOf('-af') + 1]).toBe(
      'aresample=resampler=soxr:precision=28:osr=44100:osf=s16:dither_method=triangular',
    );
    expect(r.args).toEqual(expect.arrayContaining(['-ar', '44100', '-sample_fmt', 's16']));
    expect(r.format).toEqual({ sampleRate: 44100, channels: 2, bitDepth: 16 });
  });
  it('flac keeps rate and depth (no filter)', () => {
    const r = outputRecipe(P('flac'), src({ sampleRate: 96000, bitsPerSample: 24 }), ctx);
    expect(r.args).not.toContain('-af');
    expect(r.format.sampleRate).toBe(96000);
  });
  it("mp3 from 96 kHz is resampled to 48 kHz explicitly, with ffmpeg's own resampler (lossy: no soxr, no warning)", () => {
    const r = outputRecipe(P('mp3-v0'), src({ sampleRate: 96000 }), ctx);
    expect(r.args).toEqual(
      expect.arrayContaining(['-ar', '48000', '-af', 'channelmap=channel_layout=stereo,aresample=osr=48000']),
    );
    expect(r.warnings).toEqual([]);
  });
  it('a lossless preset resamples with soxr, and without libsoxr warns; a preset can ask for either resampler', () => {
    const hi = src({ sampleRate: 96000, bitsPerSample: 24 });
    expect(outputRecipe(P('flac-cd'), hi, { soxr: false }).warnings.join()).toMatch(/libsoxr/);
    const { origin: _o, hash: _h, ...mp3 } = P('mp3-v0') as unknown as Record<string, unknown>;
    const soxrMp3 = parsePreset({ ...mp3, id: 'mp3-soxr', resampler: 'soxr' }, 'test');
    expect(outputRecipe(soxrMp3, hi, ctx).args.join(' ')).toContain('aresample=resampler=soxr:precision=28:osr=48000');
    const { origin: _o2, hash: _h2, ...flacCd } = P('flac-cd') as unknown as Record<string, unknown>;
    const swrFlac = parsePreset({ ...flacCd, id: 'flac-swr', resampler: 'swr' }, 'test');
    // swr emits nothing for an input shorter than its filter: a master under a second gets soxr whatever.
    expect(outputRecipe(P('mp3-v0'), src({ sampleRate: 96000, duration: 0.5 }), ctx).args.join(' ')).toContain('soxr');
    expect(outputRecipe(swrFlac, hi, ctx).args.join(' ')).toContain('aresample=osr=44100:osf=s16');
  });
  it('5.1 to Opus gets a channel mapping family and the 5.1 layout; 5.1 to MP3 is downmixed to stereo', () => {
    const opus = outputRecipe(P('opus-128'), src({ channels: 6, sampleRate: 48000 }), ctx);
    expect(opus.args).toEqual(expect.arrayContaining(['-mapping_family', '1', '-af', 'channelmap=channel_layout=5.1']));
    expect(opus.format.channels).toBe(6);
    const mp3 = outputRecipe(P('mp3-320'), src({ channels: 6, sampleRate: 96000 }), ctx);
    // The downmix first, then the resampler (two channels to resample instead of six).
    expect(mp3.args).toEqual(expect.arrayContaining(['-af', 'aformat=channel_layouts=stereo,aresample=osr=48000']));
    expect(mp3.format.channels).toBe(2);
    expect(mp3.args).not.toContain('-mapping_family');
  });
  it('ffmpeg writes audio only for FLAC, MP3 and Opus: tags and cover are written by audiofan afterwards', () => {
    for (const id of ['flac', 'mp3-v0', 'opus-128']) {
      const args = outputRecipe(
        P(id),
        src({ tags: [['TITLE', 'T']], cover: { from: 'embedded', index: 0 } }),
        ctx,
      ).args;
      expect(args.join(' '), id).not.toMatch(/-metadata|0:v|attached_pic/);
      expect(args).toEqual(expect.arrayContaining(['-map_metadata', '-1']));
    }
    expect(outputRecipe(P('mp3-v0'), src(), ctx).args).toEqual(
      expect.arrayContaining(['-id3v2_version', '0', '-write_id3v1', '0']),
    );
  });
  it('user containers (MP4, Ogg Vorbis) are tagged afterwards by their own writer, not by ffmpeg -metadata', () => {
    const aac = parsePreset(
      {
        id: 'aac',
        description: 'AAC',
        container: 'm4a',
        extension: 'm4a',
        encoder: 'aac',
        encoderArgs: ['-b:a', '256k'],
      },
      'test',
    );
    const r = outputRecipe(aac, src({ tags: [['TITLE', 'Tape Loop']] }), ctx);
    expect(r.args.join(' ')).not.toMatch(/-metadata|Tape Loop/);
  });
  it('the ffmpeg fallback writer gives basic tags as -metadata, one argv element each', () => {
    const r = ffmpegTagArgs([
      ['TITLE', 'Tape Loop'],
      ['ARTIST', '-x "quoted" \n new line'],
      ['ARTIST', 'Second'],
      ['TRACKNUMBER', '3'],
      ['TRACKTOTAL', '9'],
    ]);
    expect(r.args).toContain('title=Tape Loop');
    expect(r.args).toContain('artist=-x "quoted" \n new line; Second');
    expect(r.args).toContain('track=3/9');
  });
});

describe('decide (the transcode decision, first matching rule wins)', () => {
  const prevSource = { size: 100, mtimeMs: 1 };
  const prevOutput = {
    preset: 'mp3-v0',
    presetHash: 'h',
    path: 'x',
    status: 'ok' as const,
    action: 'encoded' as const,
    reason: 'new',
    ffmpegVersion: '5.1',
    size: 50,
    mtimeMs: 2,
  };
  const base = {
    source: { size: 100, mtimeMs: 1 },
    prevSource,
    prevOutput,
    presetHash: 'h',
    ffmpegVersion: '5.1',
    onDisk: { size: 50, mtimeMs: 2 },
  };
  it.each([
    ['forced', { force: true }, 'encode', 'forced'],
    ['no record', { prevSource: undefined, prevOutput: undefined }, 'encode', 'new'],
    ['source touched, audio unknown', { source: { size: 100, mtimeMs: 5 } }, 'encode', 'source audio changed'],
    [
      'source edited, different audio',
      { source: { size: 120, mtimeMs: 5, fingerprint: 'b' }, prevSource: { ...prevSource, fingerprint: 'a' } },
      'encode',
      'source audio changed',
    ],
    [
      'source edited, same audio (tags only: the tag stage retags)',
      { source: { size: 120, mtimeMs: 5, fingerprint: 'a' }, prevSource: { ...prevSource, fingerprint: 'a' } },
      'keep',
      'up to date',
    ],
    ['preset changed', { presetHash: 'other' }, 'encode', 'preset changed'],
    [
      'ffmpeg changed: kept (a security update must not redo the library)',
      { ffmpegVersion: '6.1' },
      'keep',
      'up to date',
    ],
    [
      'ffmpeg changed, --reencode-on-encoder-change',
      { ffmpegVersion: '6.1', reencodeOnEncoderChange: true },
      'encode',
      'encoder version changed',
    ],
    [
      'failed before',
      { prevOutput: { ...prevOutput, status: 'failed' as const } },
      'encode',
      'previous attempt failed',
    ],
    ['output deleted', { onDisk: undefined }, 'encode', 'output missing'],
    ['output truncated', { onDisk: { size: 10, mtimeMs: 2 } }, 'encode', 'output modified'],
    ['nothing changed', {}, 'keep', 'up to date'],
  ])('%s', (_n, change, action, reason) => {
    expect(decide({ ...base, ...change })).toEqual({ action, reason });
  });
});

describe('jobs', () => {
  it('output paths mirror the source tree under the preset id with the preset extension', () => {
    expect(outputRelPath(P('opus-128'), { rel: 'Artist/Album/01 Song.v2.flac', tags: [] })).toBe(
      'opus-128/Artist/Album/01 Song.v2.opus',
    );
    expect(outputRelPath(P('mp3-v0'), { rel: 'Artist/no extension', tags: [] })).toBe('mp3-v0/Artist/no extension.mp3');
  });
  const plan = (path: string, n: number, duration = 10): SourcePlan => ({
    source: src({ path, duration }),
    outputs: Array.from({ length: n }, (_, i) => ({
      preset: P(['flac', 'mp3-v0', 'opus-128', 'mp3-320'][i]),
      rel: `${i}`,
      decision: { action: 'encode', reason: 'new' },
      args: [],
      format: { sampleRate: 1, channels: 2 },
      warnings: [],
    })),
  });
  it('one job per source (decode once) when there are enough sources', () => {
    const jobs = groupJobs([plan('/a', 3), plan('/b', 3), plan('/c', 3)], 2);
    expect(jobs).toHaveLength(3);
    expect(jobs.every((j) => j.outputs.length === 3)).toBe(true);
  });
  it('a lone source is split across the workers so none sits idle', () => {
    const jobs = groupJobs([plan('/a', 3)], 2);
    expect(jobs.map((j) => j.outputs.length).sort()).toEqual([1, 2]);
  });
  it('longest source first; kept outputs are not jobs', () => {
    const p = plan('/short', 2, 5);
    p.outputs[1].decision = { action: 'keep', reason: 'up to date' };
    const jobs = groupJobs([p, plan('/long', 2, 100), plan('/mid', 2, 50)], 2);
    expect(jobs.map((j) => j.source.path)).toEqual(['/long', '/mid', '/short']);
    expect(jobs[2].outputs).toHaveLength(1);
  });
});
