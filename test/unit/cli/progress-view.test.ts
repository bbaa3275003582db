/**
 * progress-view.ts: the frame a person sees for a progress event, as lines: counts of outputs and
 * masters, speed only once something was converted, the ETA only when the library gives one, bytes,
 * one line per running file (relative to its source folder, cut from the left to fit), and no line
 * wider than the terminal.
 */
import { describe, expect, it } from 'vitest';
import { bytes, clock, progressLines } from '../../../src/cli/progress-view.js';
import type { ProgressEvent } from '../../../src/model.js';

const event = (o: Partial<ProgressEvent> = {}): ProgressEvent => ({
  type: 'progress',
  phase: 'encode',
  outputsDone: 0,
  outputsTotal: 26,
  sourcesDone: 0,
  sourcesTotal: 13,
  bytesWritten: 0,
  elapsedSeconds: 0.4,
  active: [],
  audioSecondsDone: 0,
  audioSecondsTotal: 380,
  speed: 0,
  ...o,
});

describe('progressLines', () => {
  it('the first moment: counts, elapsed, no speed and no ETA', () => {
    const [head, facts] = progressLines(event(), { columns: 120 });
    expect(head).toBe('Encoding  [........................]   0%  0/26 outputs  0/13 masters');
    expect(facts.trim()).toBe('elapsed 0:00   0 B written');
  });

  it('under way: speed, ETA, bytes, and each running file with its presets and position', () => {
    const lines = progressLines(
      event({
        outputsDone: 6,
        sourcesDone: 3,
        audioSecondsDone: 190,
        speed: 21.04,
        elapsedSeconds: 9,
        etaSeconds: 9.4,
        bytesWritten: 12_345_678,
        active: [{ source: '/music/A/01 One.flac', presets: ['flac', 'mp3-v0'], seconds: 61, duration: 190 }],
      }),
      { columns: 120, roots: ['/music'] },
    );
    expect(lines).toEqual([
      'Encoding  [############............]  50%  6/26 outputs  3/13 masters',
      '          21.0x realtime   elapsed 0:09   ETA 0:09   12.3 MB written',
      '  > A/01 One.flac  flac, mp3-v0  1:01/3:10',
    ]);
  });

  it('a narrow terminal: paths are cut from the left, no line is wider than the screen', () => {
    const long = `/music/${'Very Long Artist Name/'.repeat(5)}01.flac`;
    const lines = progressLines(
      event({ active: [{ source: long, presets: ['opus-128'], seconds: 1, duration: 2 }], etaSeconds: 3700 }),
      { columns: 60, roots: ['/music'] },
    );
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(59);
    expect(lines[2]).toMatch(/^ {2}> ….*Name\/01\.flac {2}opus-128 {2}0:01\/0:02$/);
  });

  it('more running jobs than room: the first ones, then how many more', () => {
    const active = ['a', 'b', 'c'].map((n) => ({ source: `/m/${n}.flac`, presets: ['flac'], seconds: 0 }));
    const lines = progressLines(event({ active }), { columns: 80, maxActive: 2 });
    expect(lines.slice(2)).toEqual(['  > /m/a.flac  flac  0:00', '  > /m/b.flac  flac  0:00', '  … and 1 more']);
  });

  it('retagging says so, with no speed; stopping replaces the facts with the message', () => {
    const retag = progressLines(event({ phase: 'retag', audioSecondsTotal: 0, outputsDone: 3, outputsTotal: 6 }), {
      columns: 100,
    });
    expect(retag[0]).toMatch(/^Retagging \[#{12}\.{12}\] {2}50% {2}3\/6 outputs/);
    expect(retag[1]).not.toMatch(/realtime/);
    const stopping = progressLines(event({ etaSeconds: 5 }), { columns: 100, stopping: 'SIGINT: stopping ffmpeg' });
    expect(stopping[0]).toMatch(/^Stopping /);
    expect(stopping[1].trim()).toBe('SIGINT: stopping ffmpeg');
  });
});

describe('clock and bytes', () => {
  it.each([
    [0, '0:00'],
    [59.6, '1:00'],
    [3725, '1:02:05'],
  ])('clock(%s) = %s', (s, text) => expect(clock(s)).toBe(text));
  it.each([
    [999, '999 B'],
    [1000, '1.0 kB'],
    [5_500_000, '5.5 MB'],
    [2_000_000_000, '2.0 GB'],
  ])('bytes(%s) = %s', (n, text) => expect(bytes(n)).toBe(text));
});
