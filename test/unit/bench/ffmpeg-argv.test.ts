/**
 * bench/lib/ffmpeg-argv.js: an audiofan main command read back into its input and outputs, each output's kind, and
 * the isolated passes bench --profile derives from it (they must rebuild the command's own parts, or the profile's
 * split would be of some other work).
 */
import { describe, expect, it } from 'vitest';
import { outputKind, passesOf, shapingArgs, splitArgv } from '../../../bench/lib/ffmpeg-argv.js';

const input = [
  '-nostdin',
  '-hide_banner',
  '-loglevel',
  'verbose',
  '-y',
  '-err_detect',
  'crccheck',
  '-max_error_rate',
  '1',
];
const src = 'file:/lib/A B/-01 track.flac';
const flac = [
  '-map',
  '0:a:0',
  '-map_metadata',
  '-1',
  '-map_chapters',
  '-1',
  '-c:a',
  'flac',
  '-compression_level',
  '8',
  '-f',
  'flac',
];
const mp3 = [
  '-map',
  '0:a:0',
  '-map_metadata',
  '-1',
  '-c:a',
  'libmp3lame',
  '-q:a',
  '0',
  '-af',
  'channelmap=channel_layout=stereo',
  '-id3v2_version',
  '0',
  '-f',
  'mp3',
];
const opus = [
  '-map',
  '0:a:0',
  '-c:a',
  'libopus',
  '-b:a',
  '128k',
  '-af',
  'aresample=osr=48000',
  '-ar',
  '48000',
  '-f',
  'opus',
];
const meter = ['-map', '0:a:0', '-af', 'ebur128=peak=sample:framelog=verbose', '-f', 'null'];
const hash = ['-map', '0:a:0', '-c:a', 'pcm_s16le', '-f', 'md5'];
const argv = [
  ...input,
  '-i',
  src,
  ...flac,
  'file:/out/flac/a.flac.partial',
  ...mp3,
  'file:/out/mp3-v0/a.mp3.partial',
  ...opus,
  'file:/out/opus-128/a.opus.partial',
  ...meter,
  'pipe:1',
  ...hash,
  'pipe:1',
];

describe('splitArgv', () => {
  it('reads the input part and every output with its own arguments (negative values and flags kept in place)', () => {
    const s = splitArgv(argv);
    expect(s.input).toEqual([...input, '-i', src]);
    expect(s.inputPath).toBe('/lib/A B/-01 track.flac');
    expect(s.outputs.map((o: { target: string }) => o.target)).toEqual([
      'file:/out/flac/a.flac.partial',
      'file:/out/mp3-v0/a.mp3.partial',
      'file:/out/opus-128/a.opus.partial',
      'pipe:1',
      'pipe:1',
    ]);
    expect(s.outputs.map((o: { args: string[] }) => o.args)).toEqual([flac, mp3, opus, meter, hash]);
  });

  it('a command with no output (a probe) or no input (-version) has no outputs', () => {
    expect(splitArgv(['-hide_banner', '-i', 'file:/x.flac']).outputs).toEqual([]);
    expect(splitArgv(['-hide_banner', '-version'])).toMatchObject({ inputPath: undefined, outputs: [] });
  });
});

describe('outputKind', () => {
  it.each([
    ['flac', flac, { kind: 'encoder', codec: 'flac' }],
    ['mp3 with a filter', mp3, { kind: 'encoder', codec: 'libmp3lame', filter: 'channelmap=channel_layout=stereo' }],
    ['opus resampled', opus, { kind: 'encoder', codec: 'libopus', rate: '48000' }],
    ['the loudness meter', meter, { kind: 'loudness', filter: 'ebur128=peak=sample:framelog=verbose' }],
    ['a master hash', hash, { kind: 'hash' }],
    ['a picture', ['-vf', 'scale=600:600', '-frames:v', '1'], { kind: 'other' }],
  ])('%s', (_, args, kind) => {
    expect(outputKind({ args, target: 'x' })).toMatchObject(kind);
  });
});

describe('passesOf', () => {
  const passes = passesOf(
    splitArgv(argv),
    (o: { target: string }) => o.target.split('/')[2],
    (key: string) => `/scratch/${key}`,
  );
  const head = [...input, '-i', src];

  it('one pass per part, each the input plus that part only', () => {
    expect(Object.keys(passes).sort()).toEqual(
      [
        'decode',
        'enc:flac',
        'enc:mp3-v0',
        'enc:opus-128',
        'hash',
        'loudness',
        'replica',
        'shape:mp3-v0',
        'shape:opus-128',
        'start',
      ].sort(),
    );
    expect(passes.decode).toEqual([...head, '-map', '0:a:0', '-f', 'null', 'pipe:1']);
    expect(passes['enc:mp3-v0']).toEqual([...head, ...mp3, 'file:/scratch/mp3-v0']);
    expect(passes.loudness).toEqual([...head, ...meter, 'pipe:1']);
    expect(passes.hash).toEqual([...head, ...hash, 'pipe:1']);
  });

  it('an output shaped (filters, rate) gets a pass with its shaping into a PCM sink; one not shaped gets none', () => {
    expect(passes['shape:opus-128']).toEqual([
      ...head,
      ...['-map', '0:a:0', '-af', 'aresample=osr=48000', '-ar', '48000'],
      ...['-c:a', 'pcm_f32le', '-f', 'null', 'pipe:1'],
    ]);
    expect(passes['shape:flac']).toBeUndefined();
    expect(shapingArgs(mp3)).toEqual(['-map', '0:a:0', '-af', 'channelmap=channel_layout=stereo']);
  });

  it('the replica is the command itself, its files moved to scratch', () => {
    expect(passes.replica).toEqual([
      ...head,
      ...[...flac, 'file:/scratch/replica-0', ...mp3, 'file:/scratch/replica-1', ...opus, 'file:/scratch/replica-2'],
      ...[...meter, 'pipe:1', ...hash, 'pipe:1'],
    ]);
  });
});
