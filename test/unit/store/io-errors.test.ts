/**
 * io-errors.ts: a failed write as manifest data, in the system's words, with the writer's own code kept.
 */
import { describe, expect, it } from 'vitest';
import { AudiofanError } from '../../../src/errors.js';
import { isDiskFull, writeFailure } from '../../../src/store/io-errors.js';

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('writeFailure', () => {
  it.each([
    [
      "a full disk: E_DISK_FULL in the system's words",
      errno('ENOSPC', "ENOSPC: no space left on device, copyfile 'a' -> 'b'"),
      'E_DISK_FULL',
      '/o/x.flac: tagging: No space left on device',
    ],
    [
      'a quota: E_DISK_FULL',
      errno('EDQUOT', 'EDQUOT: quota'),
      'E_DISK_FULL',
      '/o/x.flac: tagging: Disk quota exceeded',
    ],
    [
      'a read-only disk: E_OUTPUT_WRITE, named',
      errno('EROFS', 'EROFS: ro'),
      'E_OUTPUT_WRITE',
      '/o/x.flac: tagging: Read-only file system',
    ],
    [
      "a writer's own code is kept (not relabelled E_OUTPUT_WRITE)",
      new AudiofanError('E_OUTPUT_INVALID', '/t/x.flac: not a FLAC file'),
      'E_OUTPUT_INVALID',
      '/o/x.flac: tagging: /t/x.flac: not a FLAC file',
    ],
    ['anything else: E_OUTPUT_WRITE with its message', new Error('boom'), 'E_OUTPUT_WRITE', '/o/x.flac: tagging: boom'],
  ])('%s', (_n, e, code, message) => {
    expect(writeFailure(e, '/o/x.flac', 'tagging')).toEqual({ code, message });
  });

  it.each([
    ["ffmpeg's words", 'av_interleaved_write_frame(): No space left on device', true],
    ['another failure', 'Invalid data found when processing input', false],
  ])('isDiskFull: %s', (_n, text, full) => expect(isDiskFull(text)).toBe(full));
});
