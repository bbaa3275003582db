/**
 * The run's counts, made in one place from the manifest entries, so the summary line, the summary
 * table and the NDJSON summary can never disagree: per preset, then the totals are the presets' sums.
 */
import type { ManifestSource, PresetTally, RunSummary } from '../model.js';

/** An output an interrupt stopped before it was done: the next run does it; it is no failure. */
export const interruptedOutput = (x: { code?: string; reason: string }) =>
  x.code === 'E_CANCELLED' || x.reason.startsWith(INTERRUPTED);

/** How an output that an interrupt stopped, whose old file is still in place, is recorded (run/entries.ts). */
export const INTERRUPTED = 'not done (run interrupted)';

const empty = (): PresetTally => ({
  encoded: 0,
  retagged: 0,
  kept: 0,
  failed: 0,
  interrupted: 0,
  orphans: 0,
  bytesWritten: 0,
  bytes: 0,
});

/**
 * Per preset counts and sizes of this run's source entries, and its orphans (given apart: those of a
 * source that is gone have no entry of this run), by preset.
 */
export function tallyOutputs(sources: ManifestSource[], orphanPresets: string[]): Record<string, PresetTally> {
  const by: Record<string, PresetTally> = {};
  const of = (preset: string) => {
    by[preset] ??= empty();
    return by[preset];
  };
  for (const p of orphanPresets) of(p).orphans++;
  for (const s of sources)
    for (const x of s.outputs) {
      if (x.status === 'orphan') continue;
      const t = of(x.preset);
      if (interruptedOutput(x)) t.interrupted++;
      else if (x.status === 'failed') t.failed++;
      // A lossy master or extra copied unchanged (--lossy copy, --extras) is an output made this run too.
      else if (x.action === 'encoded' || x.action === 'copied') t.encoded++;
      else if (x.action === 'retagged') t.retagged++;
      else if (x.action === 'kept') t.kept++;
      if (x.status === 'ok' && x.action !== 'kept' && x.action !== 'none') t.bytesWritten += x.size ?? 0;
      // A file on disk that is ours: made now or before (a failed re-encode leaves the old one, still recorded).
      if (x.size !== undefined && x.status !== 'skipped') t.bytes += x.size;
    }
  return by;
}

/** The summary's output counts: the sums of the per-preset tallies. */
export function outputTotals(
  presets: Record<string, PresetTally>,
): Pick<
  RunSummary,
  'outputsEncoded' | 'outputsRetagged' | 'outputsKept' | 'outputsFailed' | 'outputsInterrupted' | 'bytesWritten'
> {
  const sum = (k: keyof PresetTally) => Object.values(presets).reduce((a, t) => a + t[k], 0);
  return {
    outputsEncoded: sum('encoded'),
    outputsRetagged: sum('retagged'),
    outputsKept: sum('kept'),
    outputsFailed: sum('failed'),
    outputsInterrupted: sum('interrupted'),
    bytesWritten: sum('bytesWritten'),
  };
}

/** Bytes of the masters (lossless sources) this run planned outputs for. */
export function mastersBytes(sources: ManifestSource[]): number {
  return sources
    .filter((s) => s.outputs.some((x) => x.status !== 'orphan' && x.action !== 'copied'))
    .reduce((a, s) => a + (s.size ?? 0), 0);
}
