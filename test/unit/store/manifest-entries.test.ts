/**
 * manifest-entries.ts: the manifest entry of each output (from plan and result) and of each source.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/errors.js';
import type { OutputResult } from '../../../src/transcode/job.js';
import type { ManifestOutput } from '../../../src/store/manifest.js';
import { mergeRetag, outputEntry, sourceEntry } from '../../../src/store/manifest-entries.js';
import { FLAC, MP3, output, plan, recorded, source } from '../builders.js';

const gains = { track: { lufs: -20, peakDbfs: -1 } };
const ok: OutputResult = { key: 'flac', status: 'ok', size: 20, mtimeMs: 9, tagsHash: 'new', gains };

describe('mergeRetag', () => {
  it.each([
    [
      'a kept output becomes retagged, with the new file facts',
      recorded({ action: 'kept', reason: 'up to date', tagsHash: 'old' }),
      ok,
      { action: 'retagged', reason: 'tags or art changed', status: 'ok', size: 20, mtimeMs: 9, tagsHash: 'new', gains },
    ],
    [
      'an output encoded this run stays encoded, with its reason',
      recorded({ action: 'encoded', reason: 'new' }),
      ok,
      { action: 'encoded', reason: 'new', size: 20, mtimeMs: 9, tagsHash: 'new' },
    ],
    [
      'a failed retag fails the entry with its code',
      recorded({ action: 'kept', tagsHash: 'old' }),
      { key: 'flac', status: 'failed', code: 'E_OUTPUT_WRITE', message: 'disk full' } as OutputResult,
      { status: 'failed', code: 'E_OUTPUT_WRITE', message: 'disk full', action: 'kept', tagsHash: 'old' },
    ],
  ] as [string, ManifestOutput, OutputResult, Partial<ManifestOutput>][])('%s', (_n, base, rt, want) => {
    expect(mergeRetag(base, rt)).toMatchObject({ ...want, preset: base.preset, path: base.path });
  });

  it('a retag that wrote no loudness tags records no gains', () => {
    const entry = mergeRetag(recorded({ action: 'kept', gains }), {
      key: 'flac',
      status: 'ok',
      size: 20,
      mtimeMs: 9,
      tagsHash: 'new',
    });
    expect(entry.gains).toBeUndefined();
  });
});

describe('outputEntry', () => {
  const encode = output(FLAC, { decision: { action: 'encode', reason: 'new' } });
  const run = (r: Partial<OutputResult>) => ({ key: 'flac', status: 'ok' as const, elapsedMs: 42, ...r });
  it.each([
    [
      "collision: failed, nothing done, the collision's code and message",
      output(FLAC, { decision: encode.decision, collision: { code: 'E_OUTPUT_COLLISION', message: 'taken' } }),
      undefined,
      undefined,
      { status: 'failed', action: 'none', reason: 'new', code: 'E_OUTPUT_COLLISION', message: 'taken' },
    ],
    [
      'dry run: skipped, saying what would happen',
      encode,
      'dry run',
      undefined,
      { status: 'skipped', action: 'none', reason: 'dry run: would encode (new)' },
    ],
    [
      'not run, no reason given',
      output(MP3),
      undefined,
      undefined,
      { status: 'skipped', action: 'none', reason: 'not run: would keep (up to date)' },
    ],
    [
      'cancelled: skipped with E_CANCELLED',
      encode,
      'cancelled',
      undefined,
      {
        status: 'skipped',
        action: 'none',
        reason: 'cancelled: would encode (new)',
        code: 'E_CANCELLED',
        message: ErrorCodes.E_CANCELLED,
      },
    ],
    [
      "ok: encoded, the worker's facts and the time taken",
      encode,
      undefined,
      run({ size: 7, codec: 'FLAC', tagsHash: 'h' }),
      { status: 'ok', action: 'encoded', reason: 'new', size: 7, codec: 'FLAC', tagsHash: 'h', elapsedMs: 42 },
    ],
    [
      "failed: nothing made, the worker's code",
      encode,
      undefined,
      run({ status: 'failed', code: 'E_FFMPEG_FAILED', stderrTail: 'boom' }),
      { status: 'failed', action: 'none', reason: 'new', code: 'E_FFMPEG_FAILED', stderrTail: 'boom', elapsedMs: 42 },
    ],
  ] as [
    string,
    ReturnType<typeof output>,
    Parameters<typeof outputEntry>[2],
    Parameters<typeof outputEntry>[3],
    object,
  ][])('%s', (_n, po, notRun, r, want) => {
    const base = { preset: po.preset.id, presetHash: po.preset.hash, path: po.rel, ffmpegVersion: '6.0' };
    expect(outputEntry(po, '6.0', notRun, r)).toEqual({ ...base, ...want });
  });

  it("carries the plan's warnings only when there are some; never the worker's key", () => {
    expect(outputEntry(output(FLAC, { warnings: ['no soxr'] }), '6.0', 'dry run').warnings).toEqual(['no soxr']);
    expect(outputEntry(encode, '6.0', undefined, run({}))).not.toHaveProperty('key');
    expect(outputEntry(encode, '6.0', undefined, run({}))).not.toHaveProperty('warnings');
  });
});

describe('sourceEntry', () => {
  const p = plan(source({ fingerprint: 'fp', warnings: ['odd'] }), [output(FLAC), output(MP3)]);
  const entry = (codes: (string | undefined)[]) =>
    sourceEntry(p, undefined, undefined, (po) => {
      const code = codes[p.outputs.indexOf(po)];
      return recorded({
        preset: po.preset.id,
        ...(code ? { status: 'failed', code: code as 'E_USAGE', message: `m-${code}` } : {}),
      });
    });

  it.each([
    ['all outputs ok: ok', [undefined, undefined], { status: 'ok' }],
    ...['E_SOURCE_TRUNCATED', 'E_NO_AUDIO_DECODED', 'E_SOURCE_CHANGED', 'E_FFMPEG_FAILED'].map((c) => [
      `${c} describes the source: lifted`,
      [undefined, c],
      { status: 'failed', code: c, message: `m-${c}` },
    ]),
    ['an output-level code fails the source without lifting', ['E_OUTPUT_DURATION', undefined], { status: 'failed' }],
  ] as [string, (string | undefined)[], object][])('%s', (_n, codes, want) => {
    const e = entry(codes);
    expect({ status: e.status, ...(e.code ? { code: e.code, message: e.message } : {}) }).toEqual(want);
  });

  it('records the source facts and optional parts only when known', () => {
    const l = { integratedLufs: -20, peakDbfs: -1, peak: 'sample' as const, blocks: { '-200': 3 } };
    const e = sourceEntry(p, 9.5, l, (po) => recorded({ preset: po.preset.id }));
    expect(e).toMatchObject({
      path: '/m/A/01.flac',
      root: '/m',
      rel: 'A/01.flac',
      size: 100,
      sampleRate: 44100,
      decodedDuration: 9.5,
      loudness: l,
      fingerprint: 'fp',
      warnings: ['odd'],
      tags: [['TITLE', 'T']],
    });
    expect(e.outputs.map((o) => o.preset)).toEqual(['flac', 'mp3-v0']);
    const bare = sourceEntry(plan(source(), []), undefined, undefined, () => recorded());
    expect(
      Object.keys(bare).filter((k) => ['decodedDuration', 'loudness', 'cover', 'fingerprint', 'warnings'].includes(k)),
    ).toEqual([]);
  });
});
