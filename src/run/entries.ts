/**
 * The manifest's source entries: this run's sources (each output's entry from its plan and what the
 * jobs did), orphans kept on record saying so, and earlier records of sources not seen this run.
 */
import { statOrUndefined } from '../sources/scan.js';
import { join } from 'node:path';
import { ErrorCodes } from '../errors.js';
import type { OutputResult } from '../transcode/job.js';
import { mergeRetag, outputEntry, sourceEntry } from '../store/manifest-entries.js';
import { orphanKey } from '../store/orphans.js';
import { canRetag } from '../presets/containers.js';
import { containerOf } from '../presets/presets.js';
import { albumKey } from '../plan/reconcile.js';
import { outputKey } from '../sources/source-key.js';
import { INTERRUPTED } from './tally.js';
import type { ManifestOutput, ManifestSource, PlannedJob, PlannedOutput } from '../model.js';
import type { Orphan } from '../store/orphans.js';
import { report, type Deletion, type Found, type Plan, type Records, type Results, type Run } from './context.js';

/** The entries, and which of them are this run's. */
export interface Entries {
  sources: ManifestSource[];
  thisRun: ManifestSource[];
  keptOrphans: Orphan[];
}

export function manifestEntries(
  run: Run,
  records: Records,
  found: Found,
  plan: Plan,
  res: Results,
  deletion: Deletion,
): Entries {
  const { o } = run;
  const log = o.logger;
  const seen = new Set<string>();
  const manifestSources: ManifestSource[] = [];
  const byKey = new Map<string, ManifestSource>();
  for (const p of found.notLossless) {
    const r = p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>;
    const entry: ManifestSource = {
      path: r.path,
      root: p.file.root,
      rel: p.file.rel,
      size: r.size,
      mtimeMs: r.mtimeMs,
      ...r.audio,
      status: r.kind,
      code: r.code,
      message: res.copies?.notes.get(p.file.key) ?? r.message,
      outputs: res.copies?.outputs.get(p.file.key) ?? [],
    };
    seen.add(p.file.key);
    byKey.set(p.file.key, entry);
    manifestSources.push(entry);
    run.emit({ type: 'source', source: entry });
    (r.kind === 'failed' ? log.error : log.warn).call(
      log,
      { event: 'source', source: r.path, status: r.kind, code: r.code, reason: entry.message },
      entry.message,
    );
  }
  // Extras (--extras) are sources of copies only.
  for (const { key, entry: e } of res.copies?.extraSources ?? []) {
    seen.add(key);
    byKey.set(key, e);
    manifestSources.push(e);
  }
  const retagWanted = new Set(res.retagJobs.flatMap((j) => j.outputs.map((x) => outputKey(j.source.key, x.preset.id))));
  for (const plan1 of plan.plans) {
    const s = plan1.source;
    seen.add(s.key);
    const prev = records.previous.get(s.key);
    const entry = sourceEntry(
      plan1,
      res.decoded.get(s.path) ?? prev?.decodedDuration,
      plan.loudness.get(s.path),
      (po) => {
        const k = outputKey(s.key, po.preset.id);
        const base = outputFor(run, po, res.encoded.get(k));
        if (po.collision) report(run, s.path, base);
        const rt = res.retagged.get(k);
        if (rt) {
          const after = mergeRetag(base, rt);
          if (base.action === 'kept') report(run, s.path, after);
          return after;
        }
        if (o.dryRun && retagWanted.has(k) && base.action === 'kept')
          return { ...base, status: 'skipped', action: 'none', reason: 'dry run: would retag (tags or art changed)' };
        return base;
      },
    );
    const damaged = res.damaged?.get(s.path);
    if (damaged) entry.damaged = damaged;
    byKey.set(s.key, entry);
    manifestSources.push(entry);
  }
  // Orphans kept on record say so, whether their source is still here or gone.
  const keptOrphans = plan.orphans.filter((x) => !deletion.removed.has(orphanKey(x.key, x.output)));
  const orphanReason = new Map(keptOrphans.map((x) => [orphanKey(x.key, x.output), `orphan: ${x.reason}`]));
  for (const x of keptOrphans)
    log.info(
      {
        event: 'orphan',
        status: 'orphan',
        source: x.source,
        preset: x.output.preset,
        path: x.output.path,
        reason: `orphan: ${x.reason}`,
      },
      `orphan: ${x.output.path} (${x.reason})${o.delete ? '' : '; --delete removes it'}`,
    );
  for (const x of keptOrphans) {
    const entry = byKey.get(x.key);
    if (entry && !entry.outputs.some((y) => y.preset === x.output.preset && y.path === x.output.path))
      entry.outputs.push(asOrphan(x.output, `orphan: ${x.reason}`));
  }
  manifestSources.sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const [key, s] of records.previous) {
    if (seen.has(key)) continue;
    // Where the scan could not look, the source may well be there: its record stays as it was.
    if (plan.unknown(key)) {
      manifestSources.push(s);
      continue;
    }
    // Gone: what is remembered is the files audiofan made for it and has not deleted, as orphans.
    const outputs = s.outputs
      .filter((x) => x.size !== undefined && !deletion.removed.has(orphanKey(key, x)))
      .map((x) => asOrphan(x, orphanReason.get(orphanKey(key, x)) ?? orphanOf(x.reason)));
    if (!outputs.length) continue;
    const { code: _c, message: _m, ...facts } = s;
    manifestSources.push({
      ...facts,
      status: 'skipped',
      code: 'E_SOURCE_GONE',
      message: ErrorCodes.E_SOURCE_GONE,
      outputs,
    });
  }

  return { sources: manifestSources, thisRun: [...byKey.values()], keptOrphans };
}

/** An output audiofan made and left in place, recorded as an orphan: its own status, and why. */
export function asOrphan(x: ManifestOutput, reason: string): ManifestOutput {
  const { code: _c, message: _m, stderrTail: _s, ...rest } = x;
  return { ...rest, status: 'orphan', action: 'kept', reason };
}

/** The record of an output that is planned again (its preset chosen again, say): no orphan any more. */
export function selectedAgain(x: ManifestOutput): ManifestOutput {
  return x.status === 'orphan' ? { ...x, status: 'ok' } : x;
}

/** `orphan: <why>`, once: a record that says so already keeps its reason. */
const orphanOf = (reason: string) => (reason.startsWith('orphan: ') ? reason : `orphan: ${reason}`);

/**
 * An output's manifest entry before any retag. Outputs this run did not touch keep their record:
 * an interrupted run never turns them into failures, and a failed re-encode leaves the old file (and
 * the record that it is ours) in place.
 */
export function outputFor(
  run: Run,
  po: PlannedOutput,
  r: (OutputResult & { elapsedMs: number }) | undefined,
): ManifestOutput {
  const { o, info } = run;
  if (po.adopted) return po.adopted;
  if (po.decision.action === 'keep' && !po.collision)
    return { ...selectedAgain(po.previous!), action: 'kept', reason: po.decision.reason };
  if (po.collision || o.dryRun) return outputEntry(po, info.version, o.dryRun ? 'dry run' : undefined, r);
  const stillOurs = po.previous && stillOnDisk(run.outDir, po.previous) ? selectedAgain(po.previous) : undefined;
  // Not reached, or stopped in flight, by an interrupt: the old file (if any) is untouched and still ours.
  if (!r || r.code === 'E_CANCELLED') {
    return stillOurs
      ? {
          ...stillOurs,
          action: 'kept',
          reason: `${INTERRUPTED}; was to ${po.decision.action}: ${po.decision.reason}`,
        }
      : outputEntry(po, info.version, 'cancelled');
  }
  const entry = outputEntry(po, info.version, undefined, r);
  if (entry.status === 'failed' && stillOurs) return { ...entry, size: stillOurs.size, mtimeMs: stillOurs.mtimeMs };
  return entry;
}

/** The recorded output is at its path, as recorded. */
export function stillOnDisk(outDir: string, x: ManifestOutput): boolean {
  const st = statOrUndefined(join(outDir, x.path));
  return st !== undefined && x.size !== undefined && st.size === x.size && st.mtimeMs === x.mtimeMs;
}

/**
 * A dry run cannot know the loudness of what it would encode: outputs of the same albums are marked
 * for the album-gain retag the real run would do once those tracks are measured.
 */
export function predictedRetags(run: Run, plan: Plan): PlannedJob[] {
  if (!run.o.dryRun || !run.o.loudness) return [];
  const albumsMeasured = new Set(
    plan.jobs
      .filter((j) => j.measureLoudness)
      .map((j) => albumKey(j.source))
      .filter((k) => k !== undefined),
  );
  return plan.plans
    .filter((p) => albumsMeasured.has(albumKey(p.source) ?? '\0'))
    .map((p) => ({
      kind: 'retag' as const,
      source: p.source,
      outputs: p.outputs.filter((x) => x.decision.action === 'keep' && canRetag(containerOf(x.preset))),
      measureLoudness: false,
    }));
}
