/**
 * cli/settings.ts: the layers, from the option table: defaults < config file < environment < flags;
 * folders add up; every value checked by its row, the message naming where it came from.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../src/cli/settings.js';

const config = (data: object) => {
  const f = join(mkdtempSync(join(tmpdir(), 'audiofan-unit-cfg-')), 'audiofan.json');
  writeFileSync(f, JSON.stringify(data));
  return f;
};

describe('resolveSettings: later layers win', () => {
  const cfg = config({
    presets: 'flac',
    jobs: 3,
    presetDirs: ['/c'],
    id3v2: 3,
    loudness: false,
    ffmpeg: '/cfg/ffmpeg',
    delete: true,
    maxDelete: 5,
  });
  it.each([
    ['nothing given: nothing set (the library applies the defaults)', {}, {}, {}],
    [
      'config file only',
      { config: cfg },
      {},
      {
        presets: ['flac'],
        jobs: 3,
        presetDirs: ['/c'],
        id3v2Version: 3,
        loudness: false,
        ffmpegPath: '/cfg/ffmpeg',
        delete: true,
        maxDelete: 5,
      },
    ],
    [
      'environment over config; folders add up',
      { config: cfg },
      {
        AUDIOFAN_PRESETS: 'mp3-v0, opus-64',
        AUDIOFAN_JOBS: '2',
        AUDIOFAN_PRESETS_DIR: '/e1:/e2',
        FFMPEG_PATH: '/env/ffmpeg',
      },
      { presets: ['mp3-v0', 'opus-64'], jobs: 2, presetDirs: ['/c', '/e1', '/e2'], ffmpegPath: '/env/ffmpeg' },
    ],
    [
      'flags over both; a repeated flag adds folders',
      {
        config: cfg,
        presets: 'opus-128',
        jobs: '1',
        presetsDir: ['/f1', '/f2'],
        ffmpeg: '/flag/ffmpeg',
        id3v2: '4',
        maxDelete: '50%',
      },
      { AUDIOFAN_JOBS: '2', AUDIOFAN_PRESETS_DIR: '/e1' },
      {
        presets: ['opus-128'],
        jobs: 1,
        presetDirs: ['/c', '/e1', '/f1', '/f2'],
        ffmpegPath: '/flag/ffmpeg',
        id3v2Version: 4,
        maxDelete: '50%',
      },
    ],
    [
      "--no-loudness: commander's default true is no flag; false is",
      { config: config({ loudness: false }), loudness: true },
      {},
      { loudness: false },
    ],
    ['--no-loudness given', { loudness: false }, {}, { loudness: false }],
  ] as [string, Record<string, unknown>, Record<string, string>, Record<string, unknown>][])(
    '%s',
    (_n, flags, env, want) => {
      expect(resolveSettings(flags, env)).toMatchObject(want);
      if (Object.keys(want).length === 0) expect(resolveSettings(flags, env)).toEqual({});
    },
  );

  it.each([
    ['a bad flag names the flag', { jobs: 'many' }, {}, /^--jobs: expected a whole number from 1 to 256, got "many"$/],
    [
      'a bad variable names the variable',
      {},
      { AUDIOFAN_JOBS: '0' },
      /^AUDIOFAN_JOBS: expected a whole number from 1 to 256, got "0"$/,
    ],
    [
      'a bad config value names the file and key',
      { config: config({ followSymlinks: 'no' }) },
      {},
      /config file .*audiofan\.json: "followSymlinks": expected true or false, got "no"/,
    ],
    [
      'an unknown config key lists the known ones',
      { config: config({ sauce: 1 }) },
      {},
      /unknown key\(s\) sauce; known: output, presets, jobs/,
    ],
    ['an unknown profile', { fsProfile: 'amiga' }, {}, /^--fs-profile: expected one of "universal"/],
  ] as [string, Record<string, unknown>, Record<string, string>, RegExp][])('%s', (_n, flags, env, message) => {
    expect(() => resolveSettings(flags, env)).toThrow(message);
  });
});
