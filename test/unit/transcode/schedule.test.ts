/**
 * schedule.ts and cost.ts: jobs costliest first (a 96 kHz track before a longer CD one), the last lane's first
 * job the shortest, a job split only when it alone outlasts an even share of the work left (and is worth it),
 * its pieces balanced with exactly one measuring loudness; pieces.ts puts a split job's results back together.
 */
import { describe, expect, it } from 'vitest';
import {
  MIN_SPLIT_SECONDS,
  Schedule,
  costOrder,
  finishTime,
  piecesFor,
  splitJob,
} from '../../../src/transcode/schedule.js';
import { jobCost, outputCost } from '../../../src/transcode/cost.js';
import { mergeJobs, mergeResults } from '../../../src/transcode/pieces.js';
import type { PlannedJob, PlannedSource } from '../../../src/model.js';
import type { TranscodeJob, TranscodeResult } from '../../../src/transcode/job.js';
import { output, preset, source } from '../builders.js';

const FLAC = preset('flac', 'flac', { encoder: 'flac' });
const MP3 = preset('mp3-v0', 'mp3', { encoder: 'libmp3lame' });
const OPUS = preset('opus-128', 'opus', { encoder: 'libopus' });

/** A 3-preset job (FLAC at the master's rate, MP3 at 44.1 kHz, Opus at 48 kHz) of a stereo master. */
const job = (path: string, duration: number, sampleRate = 44100, measure = true): PlannedJob => ({
  kind: 'encode',
  source: source({ path, duration, sampleRate } as Partial<PlannedSource>),
  outputs: [
    output(FLAC, { format: { sampleRate, channels: 2 } }),
    output(MP3, { format: { sampleRate: 44100, channels: 2 } }),
    output(OPUS, { format: { sampleRate: 48000, channels: 2 } }),
  ],
  measureLoudness: measure,
});

describe('cost', () => {
  it('a CD track costs about 0.3 µs per sample with every output; 96 kHz more per second than 44.1 kHz', () => {
    const cd = jobCost(job('/cd', 60));
    expect(cd / (60 * 44100 * 2)).toBeGreaterThan(250e-9);
    expect(cd / (60 * 44100 * 2)).toBeLessThan(350e-9);
    expect(jobCost(job('/hr', 60, 96000))).toBeGreaterThan(1.3 * cd);
    // Resampling is charged: Opus from 44.1 kHz costs more than MP3 kept at 44.1 kHz, at a similar encoder weight.
    const j = job('/cd', 60);
    expect(outputCost(j, j.outputs[2])).toBeGreaterThan(outputCost(j, j.outputs[1]));
    expect(jobCost({ ...j, kind: 'retag' })).toBe(0);
  });
});

describe('order', () => {
  it.each([
    ['longest first', [job('/a', 60), job('/b', 300), job('/c', 120)], ['/b', '/c', '/a']],
    ['a 96 kHz track before a longer CD one', [job('/cd', 200), job('/hr', 150, 96000)], ['/hr', '/cd']],
    ['equal costs keep the plan order', [job('/x', 60), job('/y', 60)], ['/x', '/y']],
  ])('%s', (_n, jobs, paths) => {
    expect(costOrder(jobs).map((i) => jobs[i].source.path)).toEqual(paths);
  });

  it('lanes take costliest first, but the last lane starts with the shortest (the count moves early)', () => {
    const jobs = [job('/s', 30), job('/l', 300), job('/m', 120), job('/xs', 20)];
    const s = new Schedule(jobs, 2, false);
    const taken = [s.take(false), s.take(true), s.take(true), s.take(false)].map((i) => s.all[i!].source.path);
    expect(taken).toEqual(['/l', '/xs', '/m', '/s']);
    expect(s.take(true)).toBeUndefined();
  });
});

describe('when to split', () => {
  const long = job('/long', 300);
  const c = jobCost(long);
  /** A job costing `share` of the long one. */
  const of = (share: number) => job('/other', 300 * share);
  it.each([
    ['a lone job, 2 idle lanes: one piece per lane', [0, 0], [], 2],
    ['a lone job, 4 idle lanes: one piece per output', [0, 0, 0, 0], [], 3],
    ['the last job, the other lane free soon: split', [0, 0.1 * c], [], 2],
    ['the last job, the other lane busy longer than it: whole', [0, 1.2 * c], [], 1],
    ['many jobs still waiting: whole', [0, 0.5 * c], [of(1), of(1), of(0.8), of(0.5)], 1],
    ['jobs waiting that the other lane can take meanwhile: whole', [0, 0], [of(0.5), of(0.4)], 1],
    ['one lane: whole', [0], [], 1],
  ])('%s', (_n, free, waiting, k) => {
    expect(piecesFor(long, free, waiting)).toBe(k);
  });
  it('three equal long jobs and short ones on 8 lanes: the first is cut too (the others will be when taken)', () => {
    const waiting = [of(1), of(1), of(0.3), of(0.3), of(0.3)];
    expect(piecesFor(long, Array(8).fill(0), waiting)).toBeGreaterThan(1);
  });
  it.each([
    ['one output: nothing to cut', { ...long, outputs: long.outputs.slice(0, 1) }],
    ['too short to be worth a decode', job('/short', 20)],
    ['a retag', { ...long, kind: 'retag' as const }],
  ])('%s: whole', (_n, j) => {
    expect(jobCost(job('/short', 20))).toBeLessThan(MIN_SPLIT_SECONDS);
    expect(piecesFor(j, [0, 0], [])).toBe(1);
  });

  it('the simulated end: lanes take the next job when free', () => {
    expect(finishTime([0, 0], [3, 2, 2])).toBe(4);
    expect(finishTime([0, 5], [3])).toBe(5);
  });

  it('pieces are balanced, costliest first, each with an output, and exactly one measures', () => {
    const j = job('/hr', 360, 96000);
    for (const k of [2, 3]) {
      const pieces = splitJob(j, k);
      expect(pieces).toHaveLength(k);
      expect(pieces.flatMap((p) => p.outputs.map((o) => o.preset.id)).sort()).toEqual(['flac', 'mp3-v0', 'opus-128']);
      expect(pieces.filter((p) => p.measureLoudness)).toHaveLength(1);
      const costs = pieces.map(jobCost);
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
      expect(Math.max(...costs)).toBeLessThan(0.7 * jobCost(j));
    }
    expect(splitJob({ ...j, measureLoudness: false }, 2).some((p) => p.measureLoudness)).toBe(false);
  });

  it('a lone long track on 2 slots is split at once, its second piece taken by the idle lane', () => {
    const splits: number[][] = [];
    const s = new Schedule([job('/long', 360)], 2, true, (_id, p) => splits.push(p));
    const first = s.take(false)!;
    const second = s.take(true)!;
    expect(splits).toEqual([[1, 2]]);
    expect([first, second]).toEqual([1, 2]);
    expect([s.rootOf(first), s.rootOf(second)]).toEqual([0, 0]);
    expect(s.take(false)).toBeUndefined();
  });

  it('many tracks: none is split until the last, and the last only when the other lane will be free first', () => {
    const jobs = Array.from({ length: 6 }, (_, i) => job(`/t${i}`, 120 + 30 * i));
    const s = new Schedule(jobs, 2, true);
    const a = s.take(false)!;
    const b = s.take(true)!; // the shortest, whole
    expect(s.all).toHaveLength(6);
    for (const id of [a, b]) s.released(id);
    const c = s.take(false)!;
    s.time(c, 0);
    const d = s.take(true)!;
    expect(s.all).toHaveLength(6);
    s.released(c);
    s.released(d);
    const e = s.take(false)!;
    s.time(e, 140); // nearly done
    // The last job: the other lane will be free long before it ends alone.
    s.take(true);
    expect(s.all.length).toBeGreaterThan(6);
    expect(s.unstarted()).toHaveLength(1);
  });

  it('without splitTail (a queue) nothing is cut, only ordered', () => {
    const s = new Schedule([job('/long', 360)], 2, false);
    expect(s.take(false)).toBe(0);
    expect(s.take(true)).toBeUndefined();
  });
});

describe('pieces merged back', () => {
  const j = job('/m/long.flac', 360);
  const tj = (id: number, keys: string[]): TranscodeJob =>
    ({ id, outputs: keys.map((key) => ({ key, temp: `/t/${key}` })), measureLoudness: false }) as TranscodeJob;
  const result = (id: number, keys: string[], extra: Partial<TranscodeResult> = {}): TranscodeResult => ({
    id,
    outputs: keys.map((key) => ({ key, status: 'ok' })),
    elapsedMs: 10 * id,
    cancelled: false,
    ...extra,
  });
  const loud = { integratedLufs: -14, truePeakDbfs: -1, blocks: [] } as unknown as TranscodeResult['loudness'];

  it('outputs in the job order, loudness from the measuring piece, the decoded length, damage', () => {
    const runs = [
      { tj: tj(1, ['opus-128']), result: result(1, ['opus-128'], { decodedSeconds: 360 }) },
      { tj: tj(2, ['flac', 'mp3-v0']), result: result(2, ['flac', 'mp3-v0'], { decodedSeconds: 360, loudness: loud }) },
    ];
    const r = mergeResults(0, j, runs);
    expect(r).toMatchObject({ id: 0, decodedSeconds: 360, loudness: loud, elapsedMs: 20, cancelled: false });
    expect(r.outputs.map((o) => o.key)).toEqual(['flac', 'mp3-v0', 'opus-128']);
    const m = mergeJobs(0, j, runs);
    expect(m.outputs.map((o) => o.temp)).toEqual(['/t/flac', '/t/mp3-v0', '/t/opus-128']);
    expect(m.measureLoudness).toBe(true);
  });

  it('interrupted between pieces: the outputs of the piece that never ran are cancelled', () => {
    const r = mergeResults(0, j, [{ tj: tj(1, ['opus-128']), result: result(1, ['opus-128']) }]);
    expect(r.cancelled).toBe(true);
    expect(r.outputs.map((o) => [o.key, o.code])).toEqual([
      ['flac', 'E_CANCELLED'],
      ['mp3-v0', 'E_CANCELLED'],
      ['opus-128', undefined],
    ]);
  });
});
