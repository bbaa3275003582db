/**
 * plan-text.ts: what `--dry-run` prints: the actions grouped in a fixed order, each with its reason, the
 * totals, and the ffmpeg commands; a plan with only retags and orphan deletions is not "nothing to do".
 */
import { describe, expect, it } from 'vitest';
import { planText } from '../../../src/cli/plan-text.js';
import { planTotals } from '../../../src/run/actions.js';
import type { PlannedAction } from '../../../src/model.js';

const a = (action: PlannedAction['action'], path: string, reason: string): PlannedAction => ({
  action,
  source: `/m/${path}.flac`,
  ...(action === 'skip' ? {} : { preset: 'mp3-v0', path: `mp3-v0/${path}.mp3` }),
  reason,
});

describe('planText', () => {
  it('groups in order (encode, retag, delete, orphan, keep, skip, fail), each line with its reason, then totals and commands', () => {
    const text = planText(
      [
        a('keep', 'A/01', 'up to date'),
        a('skip', 'A/05 lossy', 'E_SOURCE_LOSSY: lossy'),
        a('encode', 'A/02', 'new'),
        a('retag', 'A/03', 'tags or art changed'),
        a('delete', 'Gone/01', 'source is gone or no longer selected'),
      ],
      ["ffmpeg -nostdin -i 'file:/m/A/02.flac'"],
      '/out',
    );
    expect(text).toBe(
      [
        '# dry run for /out: nothing is written',
        '',
        'encode: 1',
        '  mp3-v0/A/02.mp3  (new)',
        '',
        'retag (tags and art rewritten, audio untouched): 1',
        '  mp3-v0/A/03.mp3  (tags or art changed)',
        '',
        'delete (orphans: audiofan made them, nothing needs them now): 1',
        '  mp3-v0/Gone/01.mp3  (source is gone or no longer selected)',
        '',
        'keep (up to date): 1',
        '  mp3-v0/A/01.mp3  (up to date)',
        '',
        'skip: 1',
        '  /m/A/05 lossy.flac  (E_SOURCE_LOSSY: lossy)',
        '',
        'Totals: 1 encode, 1 retag, 1 delete, 0 orphan, 1 keep, 1 skip, 0 fail.',
        '3 change(s) to make.',
        '',
        '# ffmpeg commands (1):',
        "ffmpeg -nostdin -i 'file:/m/A/02.flac'",
        '',
      ].join('\n'),
    );
  });

  it('retags and deletions with no encode: changes to make, not "nothing to do"', () => {
    const text = planText(
      [a('retag', 'A/03', 'tags or art changed'), a('delete', 'G/1', 'preset no longer selected')],
      [],
    );
    expect(text).toMatch(/^2 change\(s\) to make\.$/m);
    expect(text).not.toMatch(/nothing to do|up to date\n$/i);
    expect(text).not.toMatch(/ffmpeg commands/);
  });

  it('everything up to date says so', () => {
    expect(planText([a('keep', 'A/01', 'up to date')], [])).toMatch(/Nothing to encode, retag or delete\.\n$/);
  });

  it('planTotals counts every kind, zero included', () => {
    expect(planTotals([a('encode', 'x', 'new'), a('encode', 'y', 'new'), a('orphan', 'z', 'gone')])).toEqual({
      encode: 2,
      retag: 0,
      delete: 0,
      orphan: 1,
      keep: 0,
      skip: 0,
      fail: 0,
    });
  });
});
