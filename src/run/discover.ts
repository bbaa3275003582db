/**
 * Stage 3, discover: walk the sources, probe every file (or reuse its record), fingerprint the lossless ones.
 */
import { fingerprintAll } from '../sources/fingerprint.js';
import { blocksDeletion, scanSources } from '../sources/scan.js';
import { probeAll, toPlanned } from '../sources/probe-all.js';
import type { Found, Records, Run } from './context.js';

/** Stage 3: walk the sources, probe every file, fingerprint the lossless ones. */
export async function discover(run: Run, records: Records): Promise<Found> {
  const { o } = run;
  const scan = scanSources(o.sources, { followSymlinks: o.followSymlinks, exclude: o.exclude });
  for (const p of scan.problems) {
    const level = blocksDeletion(p) ? 'warn' : 'info';
    o.logger[level]({ event: 'scan', path: p.path, kind: p.kind, reason: p.reason }, `${p.path}: ${p.reason}`);
  }
  const probed = await probeAll(scan.files, records.previous, 8, o.signal);
  const sources = probed.map(toPlanned).filter((s) => s !== undefined);
  await fingerprintAll(sources, run.ffmpeg.path, o.jobs, o.logger);
  const notLossless = probed.filter((p) => p.result.kind === 'skipped' || p.result.kind === 'failed');
  const ignored = probed.filter((p) => p.result.kind === 'ignored').length;
  run.emit({
    type: 'scanned',
    files: scan.files.length,
    lossless: sources.length,
    ignored,
    skipped: notLossless.filter((p) => p.result.kind === 'skipped').length,
    failed: notLossless.filter((p) => p.result.kind === 'failed').length,
  });
  return { scan, probed, sources, notLossless, ignored };
}
