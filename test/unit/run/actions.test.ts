/**
 * actions.ts: the run's plan as one line per output, orphan and bad source (what `--dry-run --json` prints).
 */
import { describe, expect, it } from 'vitest';
import { actionList, type PlannedAction } from '../../../src/run/actions.js';
import type { Orphan } from '../../../src/store/orphans.js';
import type { PlannedJob } from '../../../src/plan/plan.js';
import { FLAC, MP3, output, plan, recorded, source } from '../builders.js';

const s = source();
const encode = { action: 'encode' as const, reason: 'preset changed' };
const orphan: Orphan = {
  source: '/m/gone.flac',
  key: 'k',
  reason: 'source is gone or no longer selected',
  output: recorded({ preset: 'flac', path: 'flac/gone.flac' }),
};
const retagJob = (...ps: (typeof FLAC)[]): PlannedJob => ({
  kind: 'retag',
  source: s,
  outputs: ps.map((p) => output(p)),
  measureLoudness: false,
});
const at = (p: typeof FLAC) => ({ source: s.path, preset: p.id, path: output(p).rel });
const gone = {
  source: '/m/gone.flac',
  preset: 'flac',
  path: 'flac/gone.flac',
  reason: 'source is gone or no longer selected',
};
const taken = { code: 'E_OUTPUT_COLLISION' as const, message: 'flac/A/01.flac: taken' };
const lossy = { path: '/m/x.mp3', kind: 'skipped' as const, code: 'E_SOURCE_LOSSY', message: 'lossy' };
const corrupt = { path: '/m/y.flac', kind: 'failed' as const, code: 'E_SOURCE_CORRUPT', message: 'bad' };

describe('actionList: one row per kind of action', () => {
  it.each([
    [
      'collision: fail, with the collision message',
      [plan(s, [output(FLAC, { decision: encode, collision: taken })])],
      [],
      [],
      false,
      [],
      [{ ...at(FLAC), action: 'fail', reason: 'flac/A/01.flac: taken' }],
    ],
    [
      "encode, with the decision's reason",
      [plan(s, [output(FLAC, { decision: encode })])],
      [],
      [],
      false,
      [],
      [{ ...at(FLAC), action: 'encode', reason: 'preset changed' }],
    ],
    [
      'retag: a kept output with a retag job',
      [plan(s, [output(FLAC)])],
      [retagJob(FLAC)],
      [],
      false,
      [],
      [{ ...at(FLAC), action: 'retag', reason: 'tags or art changed' }],
    ],
    [
      "keep, with the decision's reason",
      [plan(s, [output(MP3)])],
      [retagJob(FLAC)],
      [],
      false,
      [],
      [{ ...at(MP3), action: 'keep', reason: 'up to date' }],
    ],
    ['orphan, when not deleting', [], [], [orphan], false, [], [{ action: 'orphan', ...gone }]],
    ['delete, when deleting', [], [], [orphan], true, [], [{ action: 'delete', ...gone }]],
    [
      'skip: a skipped source, with code and message',
      [],
      [],
      [],
      false,
      [lossy],
      [{ action: 'skip', source: '/m/x.mp3', reason: 'E_SOURCE_LOSSY: lossy' }],
    ],
    [
      'fail: a failed source, with code and message',
      [],
      [],
      [],
      false,
      [corrupt],
      [{ action: 'fail', source: '/m/y.flac', reason: 'E_SOURCE_CORRUPT: bad' }],
    ],
  ] as [string, ...Parameters<typeof actionList>, PlannedAction[]][])(
    '%s',
    (_n, plans, retags, orphans, deleting, bad, want) => {
      expect(actionList(plans, retags, orphans, deleting, bad)).toEqual(want);
    },
  );

  it.each([
    ['a collision wins over encode and retag', output(FLAC, { decision: encode, collision: taken }), 'fail'],
    ['an encode wins over a retag of the same output', output(FLAC, { decision: encode }), 'encode'],
  ])('%s', (_n, o, want) => {
    expect(actionList([plan(s, [o])], [retagJob(FLAC)], [], false, []).map((a) => a.action)).toEqual([want]);
  });

  it("a retag is matched by source key and preset: another source's retag does not apply", () => {
    const other = source({ path: '/m/B/02.flac', key: '0\0B/02.flac' });
    expect(actionList([plan(other, [output(FLAC)])], [retagJob(FLAC)], [], false, []).map((a) => a.action)).toEqual([
      'keep',
    ]);
  });

  it('outputs first (plan order), then orphans, then bad sources', () => {
    const list = actionList([plan(s, [output(FLAC), output(MP3, { decision: encode })])], [], [orphan], false, [lossy]);
    expect(list.map((a) => a.action)).toEqual(['keep', 'encode', 'orphan', 'skip']);
  });
});
