/**
 * Byte ranges and download names, as tables of named rows.
 */
import { describe, expect, it } from 'vitest';
import { disposition, parseRange } from '../../../src/serve/send-file.js';
import { parseSize } from '../../../src/serve/options.js';

describe('parseRange (size 1000)', () => {
  it.each([
    ['no header: whole file', undefined, undefined],
    ['first 100 bytes', 'bytes=0-99', { start: 0, end: 99 }],
    ['open-ended', 'bytes=900-', { start: 900, end: 999 }],
    ['suffix', 'bytes=-10', { start: 990, end: 999 }],
    ['suffix longer than the file', 'bytes=-5000', { start: 0, end: 999 }],
    ['end past the file is cut', 'bytes=990-5000', { start: 990, end: 999 }],
    ['start past the end', 'bytes=1000-', 'bad'],
    ['end before start', 'bytes=50-10', 'bad'],
    ['zero suffix', 'bytes=-0', 'bad'],
    ['several ranges: answered whole', 'bytes=0-1,5-6', undefined],
    ['another unit: answered whole', 'items=0-1', undefined],
  ])('%s', (_name, header, expected) => expect(parseRange(header, 1000)).toEqual(expected));
});

describe('disposition', () => {
  it.each([
    [
      'ASCII',
      'Artist - Title.mp3',
      `attachment; filename="Artist - Title.mp3"; filename*=UTF-8''Artist%20-%20Title.mp3`,
    ],
    ['accents kept in filename*', 'Café.opus', `attachment; filename="Cafe.opus"; filename*=UTF-8''Caf%C3%A9.opus`],
    [
      'quotes cannot end the parameter',
      'a "b".mp3',
      `attachment; filename="a 'b'.mp3"; filename*=UTF-8''a%20%22b%22.mp3`,
    ],
  ])('%s', (_name, name, expected) => expect(disposition(name)).toBe(expected));
});

describe('parseSize', () => {
  it.each([
    ['20GB', 20e9],
    ['500M', 500e6],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['4096', 4096],
    ['lots', undefined],
  ])('%s', (text, bytes) => expect(parseSize(text)).toBe(bytes));
});
