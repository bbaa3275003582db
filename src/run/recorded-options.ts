/**
 * The options a manifest records: every row of the option table that shapes outputs or deletions, by its
 * library name. Also part of the settled digest (observe.ts): a change to any of them is a change.
 */
import { resolve } from 'node:path';
import { OPTIONS } from './option-table.js';
import type { Run } from './context.js';

/** The options a run records, by library name (sources resolved, the output folder absolute). */
export function recordedOptions(run: Run): Record<string, unknown> {
  const o = run.o as unknown as Record<string, unknown>;
  const rows = Object.keys(OPTIONS).filter(
    (k) => !['dryRun', 'killGraceMs', 'adopt', 'extraPresets', 'queue'].includes(k),
  );
  return {
    sources: run.o.sources.map((s) => resolve(s)),
    output: run.outDir,
    ...Object.fromEntries(rows.map((k) => [k, o[k] ?? null])),
  };
}
