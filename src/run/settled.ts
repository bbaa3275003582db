/**
 * A settled library: the nightly run that finds nothing to do, without reading the manifest.
 *
 * A full run that changed nothing and found nothing wrong (every source a converted lossless master or a
 * file it ignores, every output up to date, no orphan, no scan problem) writes the settled stamp: the
 * digest of what it decided with (observe.ts), re-observed after the run and checked against what the
 * run saw. A later run first observes the same things (a walk and a stat per file and per output, no
 * manifest, no plan) and, when the digest is the stamp's and the manifest is the one the stamp vouches
 * for, ends there with that run's summary: the plan would be the same, so would the result. Any
 * difference, a journal left by a killed run, or --force, --dry-run or adopt takes the full run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JOURNAL_NAME } from '../store/journal.js';
import type { Lock } from '../store/lock.js';
import { MANIFEST_NAME, MANIFEST_VERSION } from '../store/manifest.js';
import { fileIdentity, readStamp, removeStamp, sameIdentity, writeStamp } from '../store/settled-stamp.js';
import { toolVersion } from '../version.js';
import type { Manifest, PlannedAction, PlannedOutput, RunResult, RunSummary } from '../model.js';
import { observe, type FileState, type Witness } from './observe.js';
import type { ScannedFile } from '../sources/scan.js';
import type { CoverRef } from '../sources/art.js';
import { recordedOptions } from './recorded-options.js';
import type { Found, Plan, Records, Results, Run } from './context.js';

/** The result of the run that the stamp shows would change nothing; undefined: do the full run. */
export async function settledRun(run: Run, lock: Lock | undefined): Promise<RunResult | undefined> {
  const { o, outDir } = run;
  if (o.dryRun || o.force || o.adopt || lock?.tookOver) return undefined;
  const stamp = await readStamp(outDir);
  if (!stamp) return undefined;
  const manifestPath = join(outDir, MANIFEST_NAME);
  const recorded = recordedOptions(run);
  const miss = (why: string) => {
    o.logger.info({ event: 'unsettled', reason: why }, `the full run: ${why}`);
    return undefined;
  };
  if (!sameIdentity(stamp.manifest, await fileIdentity(manifestPath)))
    return miss('the manifest was written or replaced since the last run that found nothing to do');
  // A journal with entries is a killed run's work, to be folded into the manifest.
  if ((await fileIdentity(join(outDir, JOURNAL_NAME)))?.size) return miss("a killed run's journal is to be folded in");
  const obs = observe(run, recorded, stamp.outputs);
  if (obs.scan.problems.length) return miss('the walk met a folder it could not look into');
  if (obs.digest !== stamp.digest)
    return miss('a source, an output, a folder image, an option, a preset or ffmpeg changed since the last no-op run');

  const summary: RunSummary = { ...stamp.summary, wallSeconds: (Date.now() - run.startedAt.getTime()) / 1000 };
  const { lossless, ignoredFiles, outputsKept } = summary;
  const files = obs.scan.files.length;
  run.emit({ type: 'scanned', files, lossless, ignored: ignoredFiles, skipped: 0, failed: 0 });
  run.emit({ type: 'planned', jobs: 0, encode: 0, keep: outputsKept, audioSeconds: 0 });
  o.logger.info(
    { event: 'settled', files, outputs: stamp.outputs.length },
    `nothing changed since the last run that found nothing to do: ${files} file(s) and ` +
      `${stamp.outputs.length} output(s) as they were; the manifest is left as it is`,
  );
  o.logger.info({ event: 'summary', ...summary, exitCode: 0, manifest: manifestPath }, 'run finished');
  run.emit({ type: 'done', summary, exitCode: 0 });
  const now = new Date().toISOString();
  const head: Omit<Manifest, 'sources' | 'ignored'> = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'audiofan', version: toolVersion() },
    ffmpeg: run.ffmpeg,
    options: recorded,
    roots: obs.scan.roots,
    startedAt: run.startedAt.toISOString(),
    finishedAt: now,
    interrupted: false,
    summary,
  };
  return withRecordsOnDemand({ ...head, manifestPath, exitCode: 0, commands: [], sweptTemps: [] }, manifestPath);
}

/**
 * The result's sources, ignored files and actions are read from the manifest when first asked for: the
 * CLI never asks, so a settled run holds no record in memory; a program that does gets what the full run
 * would have returned (every output kept, up to date).
 */
function withRecordsOnDemand(head: Omit<RunResult, 'sources' | 'ignored' | 'actions'>, path: string): RunResult {
  let m: Manifest | undefined;
  const manifest = () => {
    if (m) return m;
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    for (const s of m.sources)
      s.outputs = s.outputs.map((x) => ({ ...x, status: 'ok', action: 'kept', reason: 'up to date' }));
    return m;
  };
  const lazy = <T>(get: () => T) => ({ enumerable: true, configurable: true, get });
  return Object.defineProperties(head, {
    sources: lazy(() => manifest().sources),
    ignored: lazy(() => manifest().ignored ?? []),
    actions: lazy(() =>
      manifest().sources.flatMap((s) =>
        s.outputs.map(
          (x): PlannedAction => ({ source: s.path, preset: x.preset, path: x.path, action: 'keep', reason: x.reason }),
        ),
      ),
    ),
  }) as RunResult;
}

/**
 * After a full run: when it changed nothing and found nothing wrong, write the stamp that lets the next
 * run end early; otherwise remove a stamp that no longer describes the folder.
 */
export async function confirmSettled(
  run: Run,
  records: Records,
  found: Found,
  plan: Plan,
  res: Results,
  result: { summary: RunSummary; exitCode: number; changed: boolean },
): Promise<void> {
  const { o, outDir } = run;
  if (o.dryRun) return;
  const outputs = plan.plans.flatMap((p) => p.outputs);
  const clean =
    !result.changed &&
    result.exitCode === 0 &&
    !o.force &&
    !o.adopt &&
    !res.interrupted &&
    !res.copies?.outputs.size &&
    !res.copies?.extraSources.length &&
    !res.damaged?.size &&
    records.folded === 0 &&
    found.scan.problems.length === 0 &&
    found.notLossless.length === 0 &&
    plan.orphans.length === 0 &&
    plan.encoderChanged.length === 0 &&
    found.probed.every((p) => p.reused || p.result.kind === 'ignored') &&
    outputs.every((x) => x.decision.action === 'keep' && !x.collision && x.previous?.size !== undefined);
  if (!clean) return removeStamp(outDir);
  const manifest = await fileIdentity(join(outDir, MANIFEST_NAME));
  const paths = outputs.map((x) => x.rel).sort();
  // Observed again now, and checked against what the run decided with: a file changed during the run
  // must not be vouched for as settled.
  const witness = new AsDecided(found, outputs);
  const { digest, scan } = observe(run, recordedOptions(run), paths, witness);
  if (!manifest || !witness.same || scan.files.length !== found.probed.length) return removeStamp(outDir);
  if (!(await writeStamp(outDir, { digest, manifest, summary: result.summary, outputs: paths })))
    o.logger.debug({ event: 'settled' }, 'the settled stamp could not be written; the next run reads the manifest');
}

const same = (a: FileState | undefined, b: { size?: number; mtimeMs?: number } | undefined) =>
  !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** Checks that an observation shows the files, folder images and outputs exactly as the run saw them. */
class AsDecided implements Witness {
  same: boolean;
  private readonly outputs: Map<string, PlannedOutput>;
  constructor(
    private readonly found: Found,
    outputs: PlannedOutput[],
  ) {
    this.same = true;
    this.outputs = new Map(outputs.map((x) => [x.rel, x]));
  }

  file(i: number, f: ScannedFile, st: FileState | undefined): void {
    const p = this.found.probed[i];
    const r = p?.result;
    const seen = r?.kind === 'lossless' ? r.source : r?.kind === 'ignored' && r.size !== undefined ? r : undefined;
    if (!p || f.key !== p.file.key || f.path !== p.file.path || (seen && !same(st, seen))) this.same = false;
  }

  images(images: Map<string, CoverRef | undefined>): void {
    for (const s of this.found.sources) {
      if (s.cover?.from === 'embedded') continue;
      const img = images.get(dirname(s.path));
      if (!s.cover ? img : img?.from !== 'folder' || img.path !== s.cover.path || !same(img, s.cover))
        this.same = false;
    }
  }

  output(path: string, st: FileState | undefined): void {
    if (!same(st, this.outputs.get(path)?.previous)) this.same = false;
  }
}
