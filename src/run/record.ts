/**
 * Stage 8, record: the manifest (this run's sources, then earlier records kept), the summary, the
 * result and its exit code.
 */
import { join } from 'node:path';
import { actionList } from './actions.js';
import { writeManifest, MANIFEST_NAME, MANIFEST_VERSION } from '../store/manifest.js';
import { blocksDeletion } from '../sources/scan.js';
import { toolVersion } from '../version.js';
import { recordedOptions } from './recorded-options.js';
import { confirmSettled } from './settled.js';
import type { IgnoredFile, Manifest, RunResult, RunSummary } from '../model.js';
import { manifestEntries, predictedRetags } from './entries.js';
import { mastersBytes, outputTotals, tallyOutputs } from './tally.js';
import type { Deletion, Found, Plan, Records, Results, Run } from './context.js';

/** Stage 8: the manifest (this run's sources, then earlier records of sources not seen), summary and result. */
export async function record(
  run: Run,
  records: Records,
  found: Found,
  plan: Plan,
  res: Results,
  deletion: Deletion,
): Promise<RunResult> {
  const { o, outDir } = run;
  const log = o.logger;
  const { sources: manifestSources, thisRun, keptOrphans } = manifestEntries(run, records, found, plan, res, deletion);
  const presets = tallyOutputs(
    thisRun,
    keptOrphans.map((x) => x.output.preset),
  );
  const blocking = found.scan.problems.filter(blocksDeletion).length;
  const summary: RunSummary = {
    sources: thisRun.length,
    lossless: found.sources.length,
    skippedSources: thisRun.filter((s) => s.status === 'skipped').length,
    failedSources: thisRun.filter((s) => s.status === 'failed').length,
    ignoredFiles: found.ignored,
    ...outputTotals(presets),
    orphans: keptOrphans.length,
    orphansDeleted: deletion.removed.size,
    scanProblems: blocking,
    encoderChanged: plan.encoderChanged.length,
    ...(res.damaged?.size ? { damagedSources: thisRun.filter((s) => s.damaged).length } : {}),
    ...(o.delete && !deletion.verdict.allowed && plan.orphans.length ? { deleteRefused: deletion.verdict.reason } : {}),
    audioSeconds:
      plan.jobs.length && !o.dryRun
        ? [...new Set(plan.jobs.map((j) => j.source))]
            .filter((s) => res.decoded.has(s.path))
            .reduce((a, s) => a + (s.duration ?? 0), 0)
        : 0,
    wallSeconds: (Date.now() - run.startedAt.getTime()) / 1000,
    presets,
    mastersBytes: mastersBytes(thisRun),
  };
  const exitCode = res.interrupted ? 130 : summary.failedSources || summary.outputsFailed || blocking ? 1 : 0;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'audiofan', version: toolVersion() },
    ffmpeg: run.ffmpeg,
    options: recordedOptions(run),
    roots: found.scan.roots,
    ...(found.scan.problems.length
      ? { problems: found.scan.problems.map(({ path, kind, reason }) => ({ path, kind, reason })) }
      : {}),
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted: res.interrupted,
    summary,
    sources: manifestSources,
    ignored: ignoredFiles(found),
  };
  await run.journal?.settled();
  // A run that changed nothing (the common nightly case) leaves the manifest as it is.
  // (A source that was re-read, i.e. new or changed on disk, is a change; one that vanished keeps its record.)
  const changed =
    plan.jobs.length > 0 ||
    res.retagJobs.length > 0 ||
    deletion.removed.size > 0 ||
    !!res.copies?.changed ||
    records.folded > 0 ||
    // Orphans are recorded as such: a preset dropped, or chosen again, changes nothing else.
    keptOrphans.some((x) => x.output.status !== 'orphan') ||
    recordedOrphans(records.previous) !== keptOrphans.length ||
    !records.prevManifest ||
    found.probed.some((p) => !p.reused && !(p.result.kind === 'ignored' && p.result.size === undefined)) ||
    JSON.stringify(records.prevManifest.ignored ?? []) !== JSON.stringify(manifest.ignored) ||
    // (Ignored files have no source record: the list above compares them, paths included.)
    found.probed.some((p) => p.result.kind !== 'ignored' && p.file.path !== records.previous.get(p.file.key)?.path) ||
    JSON.stringify(records.prevManifest.roots) !== JSON.stringify(found.scan.roots);
  const manifestPath = o.dryRun ? undefined : join(outDir, MANIFEST_NAME);
  if (!o.dryRun && changed) await writeManifest(outDir, manifest);
  // The manifest now holds everything the journal did.
  await run.journal?.finish();
  run.journal = undefined;
  await confirmSettled(run, records, found, plan, res, { summary, exitCode, changed });
  log.info({ event: 'summary', ...summary, exitCode, manifest: manifestPath }, 'run finished');
  run.emit({ type: 'done', summary, exitCode });
  const actions = actionList(
    plan.plans,
    [...res.retagJobs, ...predictedRetags(run, plan)],
    plan.orphans,
    o.delete && deletion.verdict.allowed,
    found.notLossless.map((p) => p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>),
  );
  return { ...manifest, manifestPath, exitCode, commands: res.commands, sweptTemps: records.sweptTemps, actions };
}

/** Every file seen that is not a source, with why: a reader of the manifest can account for every file. */
function ignoredFiles(found: Found): IgnoredFile[] {
  return found.probed.flatMap(({ file, result: r }) =>
    r.kind === 'ignored'
      ? [
          {
            path: r.path,
            root: file.root,
            rel: file.rel,
            ...(r.size !== undefined ? { size: r.size, mtimeMs: r.mtimeMs } : {}),
            reason: r.reason,
          },
        ]
      : [],
  );
}

/** How many outputs the previous records hold as orphans. */
function recordedOrphans(previous: Records['previous']): number {
  let n = 0;
  for (const s of previous.values()) for (const x of s.outputs) if (x.status === 'orphan') n++;
  return n;
}
