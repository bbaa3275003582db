/**
 * What a person at a terminal sees when a run ends: a table per preset (what was done, the space the
 * outputs take against the masters' size), problems, orphans (a screenful, then a count and where to
 * find the rest), and the totals. Pure: every count comes from the run's summary, which is also what
 * the manifest and the NDJSON summary line hold, so they cannot disagree.
 */
import { bytes, clock } from './progress-view.js';
import type { PresetTally, RunResult } from '../model.js';

export { ProgressDisplay } from './progress-view.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');

/** The per-preset table: chosen presets in their order, then presets only orphans still use. */
export function presetTable(r: RunResult): string {
  const m = r.summary;
  const tallies = m.presets ?? {};
  const chosen = (r.options.presets as string[] | undefined) ?? [];
  const ids = [...chosen.filter((id) => tallies[id]), ...Object.keys(tallies).filter((id) => !chosen.includes(id))];
  const interrupted = (m.outputsInterrupted ?? 0) > 0;
  const head = ['preset', 'encoded', 'retagged', 'up to date', 'failed'];
  if (interrupted) head.push('interrupted');
  head.push('orphans', 'written', 'size', 'of masters');
  const row = (id: string, t: PresetTally) => [
    id,
    String(t.encoded),
    String(t.retagged),
    String(t.kept),
    String(t.failed),
    ...(interrupted ? [String(t.interrupted)] : []),
    String(t.orphans),
    bytes(t.bytesWritten),
    bytes(t.bytes),
    pct(t.bytes, m.mastersBytes ?? 0),
  ];
  const rows = [head, ...ids.map((id) => row(id, tallies[id]))];
  if (ids.length > 1) {
    const sum = Object.values(tallies).reduce(
      (a, t) => {
        for (const k of Object.keys(a) as (keyof PresetTally)[]) a[k] += t[k];
        return a;
      },
      { encoded: 0, retagged: 0, kept: 0, failed: 0, interrupted: 0, orphans: 0, bytesWritten: 0, bytes: 0 },
    );
    rows.push(row('all', sum));
  }
  return `${table(rows)}\nmasters: ${bytes(m.mastersBytes ?? 0)} in ${m.lossless} lossless source(s)`;
}

/** Outputs recorded as orphans: up to `limit` lines, then how many more and the command that lists them all. */
export function orphanLines(r: RunResult, limit: number): string[] {
  const orphans = r.sources.flatMap((s) => s.outputs.filter((x) => x.status === 'orphan'));
  if (!orphans.length) return [];
  const lines = [`Orphans (${orphans.length}): audiofan made them, nothing needs them now; --delete removes them.`];
  for (const x of orphans.slice(0, limit)) lines.push(`  ${x.path}  (${x.reason.replace(/^orphan: /, '')})`);
  if (orphans.length > limit) {
    const where = r.manifestPath ?? '<output>/audiofan-manifest.json';
    lines.push(
      `  … and ${orphans.length - limit} more; all of them: ` +
        `jq -r '.sources[].outputs[] | select(.status == "orphan") | .path' '${where}'`,
    );
  }
  return [...lines, ''];
}

/** The end-of-run report. `rows`: the terminal's height, to keep the orphan list to a screenful. */
export function summaryText(r: RunResult, rows = 24): string {
  const m = r.summary;
  const lines = [presetTable(r), ''];
  const problems = r.sources.flatMap((s) => {
    if (s.status === 'skipped' && s.code !== 'E_SOURCE_GONE') return [`  skipped  ${s.code}  ${s.message}`];
    if (s.status === 'failed' && s.outputs.length === 0) return [`  FAILED   ${s.code}  ${s.message}`];
    if (s.status === 'failed' && s.code) return [`  FAILED   ${s.code}  ${s.message}`];
    return s.outputs
      .filter((o) => o.status === 'failed' && o.code !== 'E_CANCELLED')
      .map((o) => `  FAILED   ${o.code}  ${o.path}: ${o.message}`);
  });
  if (problems.length) lines.push('Problems:', ...problems, '');
  lines.push(...orphanLines(r, Math.max(5, rows - 16)));
  lines.push(
    `${m.lossless} lossless source(s), ${m.skippedSources} skipped, ${m.failedSources} failed, ` +
      `${m.ignoredFiles} other file(s) ignored.`,
  );
  const speed =
    m.audioSeconds > 0 && m.wallSeconds > 0 ? ` (${(m.audioSeconds / m.wallSeconds).toFixed(1)}x realtime)` : '';
  const audio = m.audioSeconds > 0 ? `${clock(m.audioSeconds)} of audio converted` : 'no audio converted';
  lines.push(
    `${m.outputsEncoded} output(s) encoded, ${m.outputsRetagged} retagged, ${m.outputsKept} up to date, ` +
      `${m.outputsFailed} failed` +
      (m.outputsInterrupted ? `, ${m.outputsInterrupted} not done (interrupted)` : '') +
      '.',
    `${audio} in ${m.wallSeconds.toFixed(1)} s${speed}.`,
  );
  if (m.damagedSources) {
    lines.push(`${m.damagedSources} damaged master(s) converted anyway (--accept-damaged):`);
    for (const s of r.sources.filter((x) => x.damaged)) lines.push(`  damaged  ${s.path}: ${s.damaged}`);
  }
  if (m.orphans) lines.push(`${m.orphans} orphaned output(s) kept.`);
  if (m.orphansDeleted) lines.push(`${m.orphansDeleted} orphaned output(s) deleted.`);
  if (m.deleteRefused) lines.push(`Nothing deleted: ${m.deleteRefused}`);
  if (r.manifestPath) lines.push(`Manifest: ${r.manifestPath}`);
  if (r.interrupted) lines.push('Interrupted: finished outputs are kept and recorded; run again to do the rest.');
  return `${lines.join('\n')}\n`;
}
