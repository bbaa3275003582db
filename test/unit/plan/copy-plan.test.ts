/**
 * plan/copy-plan.ts: which presets hold a lossy master, where a copy goes, and copy-or-keep, as tables.
 */
import { describe, expect, it } from 'vitest';
import {
  decideCopy,
  extraPath,
  folderKey,
  lossyCopyPath,
  presetsForLossy,
  type CopyItem,
} from '../../../src/plan/copy-plan.js';
import type { Preset } from '../../../src/presets/presets.js';

const preset = (id: string, container: string, extension: string) =>
  ({ id, container, extension, hash: 'h' }) as unknown as Preset;
const presets = [
  preset('mp3-v0', 'mp3', 'mp3'),
  preset('opus-128', 'opus', 'opus'),
  preset('flac', 'flac', 'flac'),
  preset('aac', 'm4a', 'm4a'),
  preset('vorbis', 'ogg', 'ogg'),
];

describe('presetsForLossy', () => {
  it.each([
    ['MP3 into mp3 presets', 'MPEG 1 Layer 3', ['mp3-v0']],
    ['Opus into opus presets', 'Opus', ['opus-128']],
    ['AAC into m4a presets', 'AAC', ['aac']],
    ['Vorbis into ogg presets', 'Vorbis I', ['vorbis']],
    ['nothing holds WMA', 'WMA', []],
  ])('%s', (_n, codec, want) => {
    expect(presetsForLossy(codec, presets).map((p) => p.id)).toEqual(want);
  });
});

describe('paths', () => {
  it.each([
    ['mirrored under the preset', 'A/02 Bonus.mp3', false, 'mp3-v0/A/02 Bonus.mp3'],
    ['flat', 'A/02 Bonus.mp3', true, 'A/02 Bonus.mp3'],
    ['made safe', 'A/what?.mp3', false, 'mp3-v0/A/what_.mp3'],
  ])('lossy copy: %s', (_n, rel, flat, want) => {
    expect(lossyCopyPath(rel, presets[0], 'universal', flat)).toBe(want);
  });

  const folders = new Map([[folderKey('0\0A/01.flac'), new Map([['mp3-v0', 'mp3-v0/Artist/Album']])]]);
  it.each([
    ['beside the outputs of its folder', '0\0A/cover.jpg', 'A/cover.jpg', false, 'mp3-v0/Artist/Album/cover.jpg'],
    ['mirrored when its folder has no outputs', '0\0B/cover.jpg', 'B/cover.jpg', false, 'mp3-v0/B/cover.jpg'],
    ['flat, mirrored', '0\0B/cover.jpg', 'B/cover.jpg', true, 'B/cover.jpg'],
    ['another source folder is another folder', '1\0A/cover.jpg', 'A/cover.jpg', false, 'mp3-v0/A/cover.jpg'],
  ])('extra: %s', (_n, key, rel, flat, want) => {
    expect(extraPath(key, rel, presets[0], folders, 'universal', flat)).toBe(want);
  });
});

describe('decideCopy', () => {
  const item = { size: 10, mtimeMs: 5 } as CopyItem;
  const src = { path: 'x', status: 'ok', size: 10, mtimeMs: 5, outputs: [] } as const;
  const out = {
    preset: 'p',
    presetHash: 'h',
    path: 'p/x',
    status: 'ok',
    action: 'copied',
    reason: '',
    ffmpegVersion: '',
    size: 10,
    mtimeMs: 7,
  } as const;
  it.each([
    ['new', undefined, undefined, undefined, false, 'copy', 'new'],
    ['forced', src, out, { size: 10, mtimeMs: 7 }, true, 'copy', 'forced (--force)'],
    [
      'failed before',
      src,
      { ...out, status: 'failed' as const },
      { size: 10, mtimeMs: 7 },
      false,
      'copy',
      'previous attempt failed',
    ],
    ['source changed', { ...src, mtimeMs: 6 }, out, { size: 10, mtimeMs: 7 }, false, 'copy', 'source changed'],
    ['copy missing', src, out, undefined, false, 'copy', 'copy missing'],
    ['copy modified', src, out, { size: 11, mtimeMs: 7 }, false, 'copy', 'copy modified'],
    ['up to date', src, out, { size: 10, mtimeMs: 7 }, false, 'keep', 'up to date'],
  ])('%s', (_n, prevSource, prevOutput, onDisk, force, action, reason) => {
    expect(decideCopy(item, prevSource, prevOutput, onDisk, force)).toEqual({ action, reason });
  });
});
