/**
 * render.ts and run/tally.ts: the end-of-run report is made from the summary alone, so the table, the
 * totals line and the NDJSON summary agree; orphans are listed up to a screenful, then counted with the
 * command that lists them all; interrupted outputs are no failures; a run that converted nothing says so
 * (no "0.0x realtime").
 */
import { describe, expect, it } from 'vitest';
import { summaryText } from '../../../src/cli/render.js';
import { mastersBytes, outputTotals, tallyOutputs } from '../../../src/run/tally.js';
import type { ManifestOutput, ManifestSource, RunResult } from '../../../src/model.js';
import { recorded } from '../builders.js';

const src = (path: string, outputs: ManifestOutput[], o: Partial<ManifestSource> = {}): ManifestSource => ({
  path,
  status: 'ok',
  size: 10_000_000,
  codec: 'FLAC',
  outputs,
  ...o,
});
const out = (preset: string, o: Partial<ManifestOutput>) =>
  recorded({ preset, path: `${preset}/${Math.random()}`, size: 1_000_000, ...o });

function result(thisRun: ManifestSource[], gone: ManifestSource[] = [], extra: Partial<RunResult['summary']> = {}) {
  const orphanPresets = [...thisRun, ...gone].flatMap((s) =>
    s.outputs.filter((x) => x.status === 'orphan').map((x) => x.preset),
  );
  const presets = tallyOutputs(thisRun, orphanPresets);
  return {
    options: { presets: ['flac', 'mp3-v0'] },
    sources: [...thisRun, ...gone],
    summary: {
      sources: thisRun.length,
      lossless: thisRun.length,
      skippedSources: 0,
      failedSources: 0,
      ignoredFiles: 0,
      ...outputTotals(presets),
      orphans: orphanPresets.length,
      orphansDeleted: 0,
      presets,
      mastersBytes: mastersBytes(thisRun),
      audioSeconds: 0,
      wallSeconds: 0.2,
      ...extra,
    },
    manifestPath: '/out/audiofan-manifest.json',
    interrupted: false,
  } as unknown as RunResult;
}

const kept = (preset: string) => out(preset, { action: 'kept', reason: 'up to date' });
const orphan = (preset: string, path: string) =>
  out(preset, { path, status: 'orphan', action: 'kept', reason: 'orphan: source is gone or no longer selected' });

describe('summaryText', () => {
  it('the table and the totals line agree, and a no-op says "no audio converted" (no 0.0x realtime)', () => {
    const r = result(
      Array.from({ length: 12 }, (_, i) => src(`/m/${i}.flac`, [kept('flac'), kept('mp3-v0')])),
      [
        src('/m/gone.flac', [orphan('flac', 'flac/gone.flac'), orphan('mp3-v0', 'mp3-v0/gone.mp3')], {
          status: 'skipped',
          code: 'E_SOURCE_GONE',
        }),
      ],
    );
    const text = summaryText(r);
    expect(text).toMatch(/^flac +0 +0 +12 +0 +1 +0 B +12\.0 MB +10%$/m);
    expect(text).toMatch(/^all +0 +0 +24 +0 +2 +0 B +24\.0 MB +20%$/m);
    expect(text).toMatch(/^masters: 120\.0 MB in 12 lossless source\(s\)$/m);
    expect(text).toMatch(
      /^0 output\(s\) encoded, 0 retagged, 24 up to date, 0 failed\.\nno audio converted in 0\.2 s\.$/m,
    );
    expect(text).not.toMatch(/realtime/);
    expect(text).toMatch(
      /^Orphans \(2\): .*--delete removes them\.\n {2}flac\/gone\.flac {2}\(source is gone or no longer selected\)$/m,
    );
    expect(text).toMatch(/^2 orphaned output\(s\) kept\.$/m);
    expect(text).not.toMatch(/E_SOURCE_GONE/);
  });

  it('orphans beyond a screenful: a count and the command that lists them all', () => {
    const many = Array.from({ length: 40 }, (_, i) => orphan('flac', `flac/gone/${i}.flac`));
    const text = summaryText(result([], [src('/m/gone', many, { status: 'skipped' })]), 24);
    const listed = text.split('\n').filter((l) => /^ {2}flac\/gone\//.test(l));
    expect(listed).toHaveLength(8);
    expect(text).toContain(
      `  … and 32 more; all of them: jq -r '.sources[].outputs[] | select(.status == "orphan") | .path' '/out/audiofan-manifest.json'`,
    );
  });

  it('interrupted outputs are counted as such, not as failures, and not listed as problems', () => {
    const cancelled = out('flac', {
      status: 'skipped',
      action: 'none',
      code: 'E_CANCELLED',
      reason: 'cancelled: would encode (new)',
      size: undefined,
    });
    const r = result([src('/m/a.flac', [out('flac', { action: 'encoded', reason: 'new' }), cancelled])]);
    const text = summaryText({ ...r, interrupted: true });
    expect(r.summary).toMatchObject({ outputsFailed: 0, outputsInterrupted: 1, outputsEncoded: 1 });
    expect(text).toMatch(/^preset +encoded +retagged +up to date +failed +interrupted +orphans/m);
    expect(text).toMatch(/^1 output\(s\) encoded, 0 retagged, 0 up to date, 0 failed, 1 not done \(interrupted\)\.$/m);
    expect(text).not.toMatch(/FAILED|E_CANCELLED/);
    expect(text).toMatch(/^Interrupted: /m);
  });
});

describe('tallyOutputs', () => {
  it('per preset: encoded, retagged, kept, failed, interrupted, orphans; bytes written and on disk', () => {
    const t = tallyOutputs(
      [
        src('/m/a', [
          out('flac', { action: 'encoded', reason: 'new', size: 300 }),
          out('flac', { action: 'retagged', reason: 'tags or art changed', size: 200 }),
          out('flac', { action: 'kept', reason: 'up to date', size: 100 }),
          out('flac', { status: 'failed', action: 'none', code: 'E_FFMPEG_FAILED', size: undefined }),
          out('flac', {
            action: 'kept',
            reason: 'not done (run interrupted); was to encode: preset changed',
            size: 50,
          }),
        ]),
      ],
      ['flac', 'vorbis'],
    );
    expect(t).toEqual({
      flac: { encoded: 1, retagged: 1, kept: 1, failed: 1, interrupted: 1, orphans: 1, bytesWritten: 500, bytes: 650 },
      vorbis: { encoded: 0, retagged: 0, kept: 0, failed: 0, interrupted: 0, orphans: 1, bytesWritten: 0, bytes: 0 },
    });
  });
});
