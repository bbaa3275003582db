import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresets, parsePreset, selectPresets } from '../dist/src/index.js';
import { cli, repo, tmp, track, fatalLine } from './helpers.js';

const BUILT_IN = [
  'flac',
  'flac-cd',
  'mp3-320',
  'mp3-256',
  'mp3-192',
  'mp3-128',
  'mp3-v0',
  'mp3-v2',
  'mp3-v4',
  'opus-64',
  'opus-96',
  'opus-128',
  'opus-160',
  'opus-192',
  'opus-256',
];

describe('presets', () => {
  it('every built-in preset the brief names exists, validates and has a description', () => {
    const all = loadPresets();
    for (const id of BUILT_IN) {
      expect(all.get(id), id).toBeDefined();
      expect(all.get(id)!.description.length).toBeGreaterThan(10);
    }
  });

  it('a bad preset is an error naming the file and the field', async () => {
    const dir = await tmp('presets');
    await writeFile(
      join(dir, 'broken.json'),
      JSON.stringify({
        id: 'aac-256',
        description: 'AAC',
        container: 'mp4',
        extension: 'm4a',
        encoder: 'aac',
        encoderArgs: ['-b:a', 256],
      }),
    );
    try {
      loadPresets({ dirs: [dir] });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; message: string };
      expect(err.code).toBe('E_PRESET_INVALID');
      expect(err.message).toContain(join(dir, 'broken.json'));
      expect(err.message).toContain('/container');
      expect(err.message).toContain('/encoderArgs/1');
    }
  });

  it('invalid JSON and unknown fields are named too', async () => {
    const dir = await tmp('presets');
    await writeFile(join(dir, 'x.json'), '{ "id": ');
    expect(() => loadPresets({ dirs: [dir] })).toThrow(/x\.json: not valid JSON/);
    expect(() =>
      parsePreset(
        {
          id: 'a',
          description: 'd',
          container: 'flac',
          extension: 'flac',
          encoder: 'flac',
          encoderArgs: [],
          bitrate: 3,
        },
        'inline',
      ),
    ).toThrow(/inline: \(top level\) must NOT have additional properties "bitrate"/);
  });

  it('users add and override presets from a folder without code (AAC, Vorbis, ALAC)', async () => {
    const dir = await tmp('presets');
    await writeFile(
      join(dir, 'aac.json'),
      JSON.stringify({
        id: 'aac-256',
        description: 'AAC 256 kbit/s',
        container: 'm4a',
        extension: 'm4a',
        encoder: 'aac',
        encoderArgs: ['-b:a', '256k'],
        sampleRates: [44100, 48000],
        maxChannels: 2,
      }),
    );
    await writeFile(
      join(dir, 'vorbis.json'),
      JSON.stringify({
        id: 'vorbis-q6',
        description: 'Ogg Vorbis q6',
        container: 'ogg',
        extension: 'ogg',
        encoder: 'libvorbis',
        encoderArgs: ['-q:a', '6'],
      }),
    );
    await writeFile(
      join(dir, 'mp3-v0.json'),
      JSON.stringify({
        id: 'mp3-v0',
        description: 'my own V0',
        container: 'mp3',
        extension: 'mp3',
        encoder: 'libmp3lame',
        encoderArgs: ['-q:a', '0', '-joint_stereo', '0'],
      }),
    );
    const all = loadPresets({ dirs: [dir] });
    expect(all.get('aac-256')!.encoder).toBe('aac');
    expect(all.get('vorbis-q6')!.container).toBe('ogg');
    expect(all.get('mp3-v0')!.description).toBe('my own V0');
    expect(all.get('mp3-v0')!.hash).not.toBe(loadPresets().get('mp3-v0')!.hash);
  });

  it('an unknown preset id lists the known ones', () => {
    expect(() => selectPresets(loadPresets(), ['mp3-v0', 'mp3-v9'])).toThrow(
      /unknown preset "mp3-v9"; known: .*mp3-v0/,
    );
  });

  it('`audiofan presets` lists every preset with its description', async () => {
    const r = await cli(['presets']);
    expect(r.code).toBe(0);
    for (const id of BUILT_IN) expect(r.stdout).toMatch(new RegExp(`^${id}\\s+\\S`, 'm'));
    const dir = await tmp('presets');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'alac.json'),
      JSON.stringify({
        id: 'alac',
        description: 'Apple Lossless in .m4a',
        container: 'm4a',
        extension: 'm4a',
        encoder: 'alac',
        encoderArgs: [],
        lossless: true,
      }),
    );
    const mine = await cli(['presets', '--presets-dir', dir]);
    expect(mine.stdout).toMatch(/^alac\s+Apple Lossless/m);
  });
});

describe('encoder arguments: option/value pairs that tune the encoder, never naming or overwriting a file', () => {
  const preset = (args: Record<string, string[]>) => ({
    id: 'p',
    description: 'd',
    container: 'opus',
    extension: 'opus',
    encoder: 'libopus',
    ...args,
  });
  it.each([
    [
      'a bare path (a second output)',
      ['-b:a', '128k', '/tmp/victim.mp3'],
      '/encoderArgs must not contain /tmp/victim.mp3 (/encoderArgs/2): a bare argument where an option belongs',
    ],
    [
      'a bare file name after valid pairs',
      ['-q:a', '2', '-b:a', '128k', 'out.mp3'],
      '/encoderArgs must not contain out.mp3 (/encoderArgs/4)',
    ],
    [
      '-y (overwrite)',
      ['-b:a', '128k', '-y', '1'],
      '/encoderArgs must not contain -y (/encoderArgs/2): audiofan itself decides',
    ],
    ['-n', ['-n', '1'], '/encoderArgs must not contain -n (/encoderArgs/0)'],
    ['-f mp3 (container)', ['-f', 'mp3'], '/encoderArgs must not contain -f (/encoderArgs/0)'],
    [
      'a second output with its own codec',
      ['-c:a', 'libmp3lame', 'out.mp3'],
      '/encoderArgs must not contain -c:a (/encoderArgs/0): audiofan itself sets the codec',
    ],
    [
      '-progress to a file',
      ['-progress', 'progress'],
      '/encoderArgs must not contain -progress (/encoderArgs/0): it names a file or URL',
    ],
    [
      '-passlogfile',
      ['-passlogfile', 'stats'],
      '/encoderArgs must not contain -passlogfile (/encoderArgs/0): it names a file or URL',
    ],
    ['-vstats_file', ['-vstats_file', 'v'], '/encoderArgs must not contain -vstats_file (/encoderArgs/0)'],
    ['-report', ['-report', '1'], '/encoderArgs must not contain -report (/encoderArgs/0)'],
    ['-attach', ['-attach', 'cover'], '/encoderArgs must not contain -attach (/encoderArgs/0)'],
    [
      '-dump_attachment:t',
      ['-dump_attachment:t', 'x'],
      '/encoderArgs must not contain -dump_attachment:t (/encoderArgs/0)',
    ],
    ['-filter_script', ['-filter_script:a', 'f'], '/encoderArgs must not contain -filter_script:a (/encoderArgs/0)'],
    ['-sdp_file', ['-sdp_file', 's'], '/encoderArgs must not contain -sdp_file (/encoderArgs/0)'],
    [
      '-af (filters can read and write files)',
      ['-af', 'volume=2'],
      '/encoderArgs must not contain -af (/encoderArgs/0)',
    ],
    [
      'a switch that would shift the pairs',
      ['-nostdin', 'victim'],
      '/encoderArgs must not contain -nostdin (/encoderArgs/0): it is an ffmpeg switch without a value',
    ],
    ['an odd count', ['-b:a', '128k', '-vbr'], '/encoderArgs/2 -vbr has no value: options come in option, value pairs'],
    [
      'a value that is a path',
      ['-b:a', '/tmp/x'],
      '/encoderArgs must not contain /tmp/x (/encoderArgs/1): it looks like a file path',
    ],
    [
      'a value that is a file name',
      ['-b:a', 'victim.mp3'],
      '/encoderArgs must not contain victim.mp3 (/encoderArgs/1): it looks like a file name',
    ],
    [
      'a value that is a URL',
      ['-b:a', 'file:victim'],
      '/encoderArgs must not contain file:victim (/encoderArgs/1): it looks like a URL',
    ],
    [
      'a value that is an option',
      ['-b:a', '-y'],
      '/encoderArgs must not contain -y (/encoderArgs/1): it looks like an option',
    ],
    [
      'an option read from a file (-/opt)',
      ['-/b:a', 'x'],
      '/encoderArgs must not contain -/b:a (/encoderArgs/0): it is not an option name',
    ],
  ])('refused: %s', (_name, encoderArgs, message) => {
    expect(() => parsePreset(preset({ encoderArgs }), 'evil.json')).toThrow(
      expect.objectContaining({ code: 'E_PRESET_INVALID', message: expect.stringContaining(`evil.json: ${message}`) }),
    );
  });

  it('multichannelArgs are checked the same way', () => {
    expect(() =>
      parsePreset(
        preset({ encoderArgs: ['-b:a', '128k'], multichannelArgs: ['-mapping_family', '1', '/tmp/x.opus'] }),
        'evil.json',
      ),
    ).toThrow('evil.json: /multichannelArgs must not contain /tmp/x.opus (/multichannelArgs/2)');
  });

  it.each([
    ["the opus presets' arguments", ['-b:a', '128k', '-vbr', 'on', '-application', 'audio']],
    ['no arguments', []],
    ['a stream-specific option and a decimal value', ['-q:a', '0.5', '-cutoff', '20000']],
    ['a negative number', ['-cutoff', '-1']],
  ])('accepted: %s', (_name, encoderArgs) => {
    expect(parsePreset(preset({ encoderArgs }), 'ok.json').encoderArgs).toEqual(encoderArgs);
  });

  it('every built-in preset file passes', async () => {
    const files = (await readdir(join(repo, 'presets'))).filter((n) => n.endsWith('.json'));
    expect(files.length).toBe(BUILT_IN.length);
    expect([...loadPresets().values()].filter((p) => p.origin.startsWith(join(repo, 'presets'))).length).toBe(
      BUILT_IN.length,
    );
  });

  it('end to end: a hostile preset in --presets-dir makes the CLI exit 2, and its victim file is never written', async () => {
    const lib = await tmp('evil-src');
    await track(join(lib, 'a.flac'), { seconds: 1 });
    const dir = await tmp('evil-presets');
    const victim = join(await tmp('victim'), 'victim.mp3');
    await writeFile(
      join(dir, 'evil.json'),
      JSON.stringify({
        id: 'evil',
        description: 'writes elsewhere',
        container: 'mp3',
        extension: 'mp3',
        encoder: 'libmp3lame',
        encoderArgs: ['-b:a', '128k', victim],
      }),
    );
    const out = await tmp('evil-out');
    const r = await cli([lib, '-o', out, '-p', 'evil', '--presets-dir', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(fatalLine(r.stderr)).toContain(
      `audiofan: error [E_PRESET_INVALID]: ${join(dir, 'evil.json')}: /encoderArgs must not contain ${victim} (/encoderArgs/2)`,
    );
    expect(existsSync(victim)).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });
});
