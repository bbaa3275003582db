/**
 * eta.ts: the time left, on a fake clock: hidden until it means something, no wild first value after a
 * slow start, counting down steadily at a steady rate, and easing (not jumping) when the rate changes.
 */
import { describe, expect, it } from 'vitest';
import { EtaSmoother } from '../../../src/transcode/eta.js';

/** Feed `rate` units a second from `from` to `to` seconds (on a 250 ms tick); returns [t, eta] pairs. */
function feed(e: EtaSmoother, total: number, state: { done: number }, from: number, to: number, rate: number) {
  const seen: [number, number | undefined][] = [];
  for (let t = from; t <= to + 1e-9; t += 0.25) {
    if (t > from) state.done = Math.min(total, state.done + rate * 0.25);
    seen.push([t, e.update(state.done, total, t * 1000)]);
  }
  return seen;
}

describe('EtaSmoother', () => {
  it('hidden before there is any progress, for the first seconds of progress, and below 3% done', () => {
    const e = new EtaSmoother();
    expect(e.update(0, 100, 0)).toBeUndefined();
    expect(e.update(0, 100, 5000)).toBeUndefined();
    // Progress starts at 5.5 s; 1 s later 30% is done, but 1 s of measuring is too little.
    expect(e.update(10, 100, 5500)).toBeUndefined();
    expect(e.update(30, 100, 6500)).toBeUndefined();
    // 2 s of it: 40 units in 2 s, 50 left: 2.5 s.
    expect(e.update(50, 100, 7500)).toBeCloseTo(2.5);
    const slow = new EtaSmoother();
    slow.update(0.1, 1000, 0);
    expect(slow.update(2, 1000, 10_000), '0.2% after 10 s').toBeUndefined();
  });

  it('a slow start-up (a 19 s job, nothing for 3 s) is not an hour-long first estimate', () => {
    const e = new EtaSmoother();
    const st = { done: 0 };
    // 0-3 s: ffmpeg starting, nothing done. Then 10 audio-seconds a second, of 160 in all (16 s of work).
    feed(e, 160, st, 0, 3, 0);
    const seen = feed(e, 160, st, 3, 19, 10).filter(([, eta]) => eta !== undefined) as [number, number][];
    const [t0, first] = seen[0];
    expect(t0).toBeLessThanOrEqual(5.5);
    expect(Math.abs(first - (19 - t0))).toBeLessThan(1.5);
    for (const [t, eta] of seen) expect(Math.abs(eta - (19 - t)), `at ${t} s`).toBeLessThan(1.5);
  });

  it('counts down with the clock at a steady rate: never up, about 1 s per second', () => {
    const e = new EtaSmoother();
    const st = { done: 0 };
    const seen = feed(e, 600, st, 0, 50, 10).filter(([, eta]) => eta !== undefined) as [number, number][];
    for (let i = 1; i < seen.length; i++) {
      const drop = seen[i - 1][1] - seen[i][1];
      expect(drop).toBeGreaterThan(0.2);
      expect(drop).toBeLessThan(0.3);
    }
  });

  it('a rate that halves moves the estimate gradually, without a jump', () => {
    const e = new EtaSmoother();
    const st = { done: 0 };
    feed(e, 1000, st, 0, 20, 10);
    const after = feed(e, 1000, st, 20, 40, 5) as [number, number][];
    for (let i = 1; i < after.length; i++)
      expect(Math.abs(after[i][1] - after[i - 1][1]), `at ${after[i][0]} s`).toBeLessThan(3);
    // ...and it gets there: 1000 - 300 = 700 left at 5/s is 140 s.
    expect(after.at(-1)![1]).toBeGreaterThan(120);
  });

  it('0 when everything is done; nothing to do has no estimate', () => {
    const e = new EtaSmoother();
    expect(e.update(100, 100, 1000)).toBe(0);
    expect(new EtaSmoother().update(0, 0, 1000)).toBeUndefined();
  });
});
