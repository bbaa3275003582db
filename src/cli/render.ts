import type { ProgressEvent, RunResult } from '../model.js';
/**
 * What a person at a terminal sees: a one-line progress bar on stderr and a summary table.
 */

const clock = (s: number) => {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

/** A progress line that redraws itself in place; call done() before printing anything else. */
export class ProgressBar {
  private shown = false;
  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: ProgressEvent): void {
    const width = 24;
    const frac = p.audioSecondsTotal
      ? Math.min(1, p.audioSecondsDone / p.audioSecondsTotal)
      : p.outputsTotal
        ? p.outputsDone / p.outputsTotal
        : 0;
    const fill = Math.round(frac * width);
    const eta = p.etaSeconds !== undefined && p.audioSecondsDone > 0 ? `ETA ${clock(p.etaSeconds)}` : 'ETA --:--';
    const bar = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
    const line = `${bar} ${p.outputsDone}/${p.outputsTotal} files  ${p.speed.toFixed(1)}x realtime  ${eta}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1)}\x1b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

/** The end-of-run report: per preset counts, then every failure with its code and reason. */
export function summaryText(r: RunResult): string {
  const byPreset = new Map<
    string,
    { encoded: number; retagged: number; kept: number; failed: number; bytes: number }
  >();
  const seen = new Set(r.options.presets as string[]);
  const thisRun = r.sources.filter((s) => s.outputs.some((o) => seen.has(o.preset)) || s.status !== 'ok');
  for (const s of thisRun)
    for (const o of s.outputs) {
      if (!seen.has(o.preset)) continue;
      if (o.reason.startsWith('orphan:')) continue;
      const row = byPreset.get(o.preset) ?? { encoded: 0, retagged: 0, kept: 0, failed: 0, bytes: 0 };
      if (o.action === 'encoded') {
        row.encoded++;
        row.bytes += o.size ?? 0;
      } else if (o.action === 'retagged') row.retagged++;
      else if (o.action === 'kept') row.kept++;
      if (o.status === 'failed') row.failed++;
      byPreset.set(o.preset, row);
    }
  const rows = [['preset', 'encoded', 'retagged', 'up to date', 'failed', 'MB written']];
  for (const [id, v] of byPreset)
    rows.push([
      id,
      String(v.encoded),
      String(v.retagged),
      String(v.kept),
      String(v.failed),
      (v.bytes / 1e6).toFixed(1),
    ]);
  const lines = [table(rows), ''];
  const problems = r.sources.flatMap((s) => {
    if (s.status === 'skipped') return [`  skipped  ${s.code}  ${s.message}`];
    if (s.status === 'failed' && s.outputs.length === 0) return [`  FAILED   ${s.code}  ${s.message}`];
    if (s.code) return [`  FAILED   ${s.code}  ${s.message}`];
    return s.outputs.filter((o) => o.status === 'failed').map((o) => `  FAILED   ${o.code}  ${o.message}`);
  });
  if (problems.length) lines.push('Problems:', ...problems, '');
  const m = r.summary;
  const speed = m.wallSeconds > 0 ? ` (${(m.audioSeconds / m.wallSeconds).toFixed(1)}x realtime)` : '';
  lines.push(
    `${m.lossless} lossless source(s), ${m.skippedSources} skipped, ${m.failedSources} failed, ` +
      `${m.ignoredFiles} other file(s) ignored.`,
  );
  lines.push(
    `${m.outputsEncoded} output(s) encoded, ${m.outputsRetagged} retagged, ${m.outputsKept} up to date, ` +
      `${m.outputsFailed} failed; ` +
      `${clock(m.audioSeconds)} of audio in ${m.wallSeconds.toFixed(1)} s${speed}.`,
  );
  if (m.damagedSources) {
    lines.push(`${m.damagedSources} damaged master(s) converted anyway (--accept-damaged):`);
    for (const s of r.sources.filter((x) => x.damaged)) lines.push(`  damaged  ${s.path}: ${s.damaged}`);
  }
  if (m.orphans)
    lines.push(`${m.orphans} orphaned output(s) (source gone or preset dropped) kept; --delete removes them.`);
  if (m.orphansDeleted) lines.push(`${m.orphansDeleted} orphaned output(s) deleted.`);
  if (r.manifestPath) lines.push(`Manifest: ${r.manifestPath}`);
  if (r.interrupted) lines.push('Interrupted: finished outputs are kept and recorded; run again to do the rest.');
  return `${lines.join('\n')}\n`;
}
