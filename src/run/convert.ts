/**
 * The coordinator, as a sequence of named stages:
 *   prepare -> lock -> open records -> discover -> plan -> encode -> retag -> delete orphans -> record.
 * Only usage and configuration errors reject; every per-file problem is manifest data.
 */
import { statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { actionList, type PlannedAction } from './actions.js';
import { sweepStaleTemps } from '../store/atomic.js';
import { assertCapabilities } from '../ffmpeg/capabilities.js';
import { OutputFolder, overlap } from '../store/contain.js';
import { deleteVerdict, type DeleteVerdict } from '../plan/delete-guard.js';
import { dispatch, toTranscodeJob, type JobOutcome } from '../transcode/dispatch.js';
import type { Executor } from '../transcode/executor.js';
import { localPool } from '../transcode/local-pool.js';
import { AudiofanError, ErrorCodes } from '../errors.js';
import { commandArgs, inspectFfmpeg, type FfmpegInfo } from '../ffmpeg/adapter.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { fingerprintAll } from '../sources/fingerprint.js';
import { commandSpec, type OutputResult, type TranscodeJob } from '../transcode/job.js';
import { foldJournal, Journal } from '../store/journal.js';
import { parseLayout } from '../plan/layout.js';
import { LibraryRun, type RunEvent } from './handle.js';
import { acquireLock, type Lock } from '../store/lock.js';
import type { TrackLoudness } from '../tagging/loudness.js';
import { readManifest, writeManifest, MANIFEST_NAME, MANIFEST_VERSION, type Manifest, type ManifestOutput, type ManifestSource, type RunSummary } from '../store/manifest.js';
import { mergeRetag, outputEntry, sourceEntry } from '../store/manifest-entries.js';
import { resolveOptions, type ConvertOptions, type ResolvedOptions } from './options.js';
import { deleteOrphans, findOrphans, orphanKey, type Orphan } from '../store/orphans.js';
import { checkOutputPaths, madeByUs, statOutputs } from '../store/outputs-on-disk.js';
import { groupJobs, planSources, type PlannedJob, type PlannedOutput, type PlannedSource, type SourcePlan } from '../plan/plan.js';
import { canRetag } from '../presets/containers.js';
import { containerOf, loadPresets, selectPresets, type Preset } from '../presets/presets.js';
import { albumKey, gainsBySource, planRetags } from '../plan/reconcile.js';
import { blocksDeletion, checkSourceFolder, scanSources, type ScanResult } from '../sources/scan.js';
import { probeAll, toPlanned, type Probed } from '../sources/probe-all.js';
import { outputKey, recordedKey, rootMatcher, sourceKey } from '../sources/source-key.js';
import { toolVersion } from '../version.js';

export type { PlannedAction } from './actions.js';

/** The run's result: the manifest's data plus what only the caller needs. */
export interface RunResult extends Manifest {
  /** Where the manifest was written (undefined for a dry run). */
  manifestPath?: string;
  /** 0 all done, 1 some files failed, 130 interrupted (2, configuration errors, rejects instead). */
  exitCode: 0 | 1 | 130;
  /** For a dry run: each ffmpeg command line that would run, as argv including the binary. */
  commands: string[][];
  /** Temporaries of dead runs removed at start. */
  sweptTemps: string[];
  /** Everything this run did or, for a dry run, would do, with the reason for each. */
  actions: PlannedAction[];
}

/**
 * Convert a library. Returns a handle that is awaitable (the RunResult), an EventEmitter of
 * RunEvents and an async iterable of them. Rejects only for usage/configuration errors.
 */
export function convertLibrary(options: ConvertOptions): LibraryRun {
  return new LibraryRun((emit) => runLibrary(options, emit));
}

async function runLibrary(options: ConvertOptions, emit: (ev: RunEvent) => void): Promise<RunResult> {
  const run = await prepare(options, emit);
  const lock = run.o.dryRun ? undefined : await acquireLock(run.outDir);
  try {
    const records = await openRecords(run, lock);
    const found = await discover(run, records);
    const plan = await planRun(run, records, found);
    const results = await encode(run, records, plan);
    await retag(run, records, plan, results);
    const deletion = await removeOrphans(run, records, found, plan, results);
    return await record(run, records, found, plan, results, deletion);
  } finally {
    await run.executor?.close();
    await run.journal?.close();
    await lock?.release();
  }
}

/** What every stage reads: resolved options, presets, ffmpeg, the output folder, and the event sink. */
interface Run {
  o: ResolvedOptions;
  startedAt: Date;
  presets: Preset[];
  ffmpeg: { path: string; version: string; source: string };
  info: FfmpegInfo;
  outDir: string;
  emit: (ev: RunEvent) => void;
  journal?: Journal;
  journalChain: Promise<void>;
  executor?: Executor;
}

/** Stage 1: options, presets and ffmpeg checked; the output folder checked (and made with --create). */
async function prepare(options: ConvertOptions, emit: Run['emit']): Promise<Run> {
  const startedAt = new Date();
  const o = resolveOptions(options);
  const inline = o.extraPresets.map((data, i) => ({ data, origin: `extraPresets[${i}]` }));
  const presets = selectPresets(loadPresets({ dirs: o.presetDirs, inline }), o.presets);
  const located = locateFfmpeg(o.ffmpegPath);
  const info = await inspectFfmpeg(located.path);
  assertCapabilities(located, info, presets);
  const outDir = resolve(o.output);
  for (const s of o.sources) checkSourceFolder(resolve(s));
  for (const s of o.sources) {
    const rel = overlap(outDir, s);
    if (rel) {
      throw new AudiofanError('E_OUTPUT_INSIDE_SOURCE', `output folder ${outDir} and source folder ${resolve(s)}: ${rel}; `
        + 'outputs would be read back as sources (or sources deleted as outputs): choose an output folder outside every source', { file: outDir });
    }
  }
  // A missing output folder is usually an unmounted disk: never fill the wrong one.
  if (!isDirectory(outDir)) {
    if (o.create && !o.dryRun) await mkdir(outDir, { recursive: true });
    else if (!o.dryRun) {
      throw new AudiofanError('E_OUTPUT_MISSING', `output folder ${outDir} does not exist (is the disk mounted?); give --create to make it`, { file: outDir });
    }
  }
  const ffmpeg = { path: located.path, version: info.version, source: located.source };
  emit({ type: 'start', outDir, presets: presets.map((p) => p.id), ffmpeg });
  return { o, startedAt, presets, ffmpeg, info, outDir, emit, journalChain: Promise.resolve() };
}

/** The previous run's records, by source key, with an interrupted run's journal folded in. */
interface Records {
  previous: Map<string, ManifestSource>;
  prevManifest?: Manifest;
  folded: number;
  sweptTemps: string[];
  /** Null for a dry run of a folder that does not exist yet. */
  folder?: OutputFolder;
}

/** Stage 2: read the manifest and journal; sweep temporaries of a dead run; open this run's journal. */
async function openRecords(run: Run, lock: Lock | undefined): Promise<Records> {
  const { o, outDir } = run;
  const log = o.logger;
  if (lock?.tookOver) log.warn({ event: 'lock', staleLock: lock.tookOver }, `took over the lock of a run that is gone (pid ${lock.tookOver.pid}: ${lock.tookOver.reason})`);
  const prevRead = await readManifest(outDir);
  if (prevRead.warning) log.warn({ event: 'manifest', warning: prevRead.warning }, prevRead.warning);
  const prevManifest = prevRead.manifest;
  const current = o.sources.map((s) => resolve(s));
  const prevRoots = prevManifest?.roots?.map((r) => r.path) ?? (prevManifest?.options.sources as string[] | undefined) ?? [];
  const match = rootMatcher(current, prevRoots);
  const previous = new Map((prevManifest?.sources ?? []).map((s) => [recordedKey(match, s), s]));
  const folded = await foldJournal(outDir, previous, (s) => recordedKey(match, s));
  if (folded) log.info({ event: 'journal', entries: folded }, `recovered ${folded} finished output(s) from an interrupted run's journal`);
  // Temporaries outlive only a run that died (SIGKILL, power loss), and such a run leaves its lock or
  // its journal behind: only then is the whole output tree walked for them.
  const sweptTemps = o.dryRun || !(lock?.tookOver || folded) ? [] : await sweepStaleTemps(outDir);
  if (sweptTemps.length) log.info({ event: 'sweep', removed: sweptTemps }, `removed ${sweptTemps.length} stale temporary file(s)`);
  run.journal = o.dryRun ? undefined : await Journal.open(outDir);
  const folder = isDirectory(outDir) ? new OutputFolder(outDir) : undefined;
  return { previous, ...(prevManifest ? { prevManifest } : {}), folded, sweptTemps, ...(folder ? { folder } : {}) };
}

/** What the sources are: the walk, each file probed (or its record reused), lossless ones fingerprinted. */
interface Found {
  scan: ScanResult;
  probed: Probed[];
  sources: PlannedSource[];
  notLossless: Probed[];
  ignored: number;
}

/** Stage 3: walk the sources, probe every file, fingerprint the lossless ones. */
async function discover(run: Run, records: Records): Promise<Found> {
  const { o } = run;
  const scan = scanSources(o.sources, { followSymlinks: o.followSymlinks });
  for (const p of scan.problems) {
    const level = blocksDeletion(p) ? 'warn' : 'info';
    o.logger[level]({ event: 'scan', path: p.path, kind: p.kind, reason: p.reason }, `${p.path}: ${p.reason}`);
  }
  const probed = await probeAll(scan.files, records.previous, 8, o.signal);
  const sources = probed.map(toPlanned).filter((s) => s !== undefined);
  await fingerprintAll(sources, run.ffmpeg.path, o.jobs, o.logger);
  const notLossless = probed.filter((p) => p.result.kind === 'skipped' || p.result.kind === 'failed');
  const ignored = probed.filter((p) => p.result.kind === 'ignored').length;
  run.emit({ type: 'scanned', files: scan.files.length, lossless: sources.length, ignored,
    skipped: notLossless.filter((p) => p.result.kind === 'skipped').length, failed: notLossless.filter((p) => p.result.kind === 'failed').length });
  return { scan, probed, sources, notLossless, ignored };
}

/** The run's plan: each output's decision, orphans, loudness already known, and the jobs to run. */
interface Plan {
  plans: SourcePlan[];
  orphans: Orphan[];
  loudness: Map<string, TrackLoudness>;
  jobs: PlannedJob[];
  provisional: ReturnType<typeof gainsBySource>;
  tagSettings: { id3Version: 3 | 4; loudness: boolean; artMaxSize?: number };
  /** Outputs kept although another ffmpeg version made them. */
  encoderChanged: PlannedOutput[];
  /** A source key lies where the scan could not look: its record is kept as it was. */
  unknown: (key: string) => boolean;
}

/** Stage 4: decide every output, check where each would be written, find orphans, group jobs. */
async function planRun(run: Run, records: Records, found: Found): Promise<Plan> {
  const { o, info, outDir, presets } = run;
  const { previous } = records;
  const onDisk = statOutputs(outDir, previous, presets.map((p) => p.id));
  const naming = { profile: o.fsProfile, ...(o.layout ? { layout: parseLayout(o.layout) } : {}) };
  const plans = planSources({ sources: found.sources, presets, ctx: { soxr: info.soxr }, ffmpegVersion: info.version, force: o.force,
    reencodeOnEncoderChange: o.reencodeOnEncoderChange, previous, onDisk, naming, outDir });
  if (records.folder) {
    await checkOutputPaths(plans, { folder: records.folder, ours: madeByUs(previous), force: o.force, adopt: o.adopt, ffmpegVersion: info.version });
  }
  const present = new Set(found.probed.map((p) => sourceKey(p.file.rootIndex, p.file.rel)));
  // An empty source folder is no place the scan could not look: its outputs are listed as orphans (and kept).
  const unseen = found.scan.problems.filter((p) => p.kind !== 'empty-root').map((p) => sourceKey(p.rootIndex, p.rel));
  const unknown = (key: string) => unseen.some((u) => key === u || key.startsWith(u.endsWith('\0') ? u : `${u}/`));
  const orphans = findOrphans(previous, plans, present, presets.map((p) => p.id), unknown);
  const tagSettings = { id3Version: o.id3v2Version, loudness: o.loudness, ...(o.artMaxSize ? { artMaxSize: o.artMaxSize } : {}) };
  // Loudness measured before stays valid while the audio is unchanged (a tags-only edit keeps it).
  const loudness = new Map<string, TrackLoudness>();
  for (const s of found.sources) {
    const p = previous.get(s.key);
    const same = p && ((p.size === s.size && p.mtimeMs === s.mtimeMs) || (p.fingerprint !== undefined && p.fingerprint === s.fingerprint));
    if (p?.loudness && same) loudness.set(s.path, p.loudness);
  }
  const jobs = groupJobs(plans, o.jobs, (s) => o.loudness && !loudness.has(s.path));
  // Encodes are tagged with the gains known now; album gains are settled by the tag stage.
  const provisional = gainsBySource(found.sources, loudness);
  for (const j of jobs) j.gains = provisional.get(j.source.path);
  const encoderChanged = plans.flatMap((p) => p.outputs)
    .filter((x) => x.decision.action === 'keep' && x.previous && x.previous.ffmpegVersion !== info.version);
  if (encoderChanged.length) {
    const made = [...new Set(encoderChanged.map((x) => x.previous!.ffmpegVersion))].join(', ');
    o.logger.warn({ event: 'encoder', outputs: encoderChanged.length, madeBy: made, now: info.version },
      `${encoderChanged.length} output(s) were made by ffmpeg ${made}, this is ${info.version}; they are kept (--reencode-on-encoder-change re-encodes them)`);
  }
  const keep = plans.reduce((a, p) => a + p.outputs.filter((x) => x.decision.action === 'keep').length, 0);
  run.emit({ type: 'planned', jobs: jobs.length, encode: jobs.reduce((a, j) => a + j.outputs.length, 0), keep,
    audioSeconds: [...new Set(jobs.map((j) => j.source))].reduce((a, s) => a + (s.duration ?? 0), 0) });
  return { plans, orphans, loudness, jobs, provisional, tagSettings, encoderChanged, unknown };
}

/** What the encode and retag stages produced, by output key. */
interface Results {
  encoded: Map<string, OutputResult & { elapsedMs: number }>;
  retagged: Map<string, OutputResult>;
  retagJobs: PlannedJob[];
  decoded: Map<string, number>;
  commands: string[][];
  interrupted: boolean;
}

function jobSettings(run: Run, plan: Plan) {
  const { o } = run;
  return { executor: executorOf(run), outDir: run.outDir, ffmpegPath: run.ffmpeg.path, killGraceMs: o.killGraceMs,
    tagOptions: plan.tagSettings, signal: o.signal, onProgress: run.emit };
}

/** One executor per run, made when the first job needs it (a no-op run starts no threads). */
function executorOf(run: Run): Executor {
  run.executor ??= (run.o.executor ?? localPool)(run.o.jobs);
  return run.executor;
}

/** Stage 5: run the encode jobs on the pool (a dry run lists their commands instead); publish each output. */
async function encode(run: Run, records: Records, plan: Plan): Promise<Results> {
  const { o, info } = run;
  const res: Results = { encoded: new Map(), retagged: new Map(), retagJobs: [], decoded: new Map(), commands: [], interrupted: !!o.signal?.aborted };
  if (o.dryRun) {
    plan.jobs.forEach((job, id) => {
      const tj = toTranscodeJob(id, job, run.outDir, run.ffmpeg.path, o.killGraceMs, plan.tagSettings);
      const argv = [run.ffmpeg.path, ...commandArgs(run.ffmpeg.path, commandSpec(tj))];
      res.commands.push(argv);
      run.emit({ type: 'command', argv });
    });
    return res;
  }
  if (res.interrupted || !plan.jobs.length) return res;
  const onJobDone = async ({ job, result }: JobOutcome, tj: TranscodeJob) => {
    if (result.decodedSeconds !== undefined) res.decoded.set(job.source.path, result.decodedSeconds);
    if (result.loudness) plan.loudness.set(job.source.path, result.loudness);
    for (const r of result.outputs) {
      const planned = job.outputs.find((x) => x.preset.id === r.key)!;
      let entry = outputEntry(planned, info.version, undefined, { ...r, elapsedMs: result.elapsedMs });
      if (entry.status === 'ok') entry = await publish(run, records, plan, res, job.source, entry, tj.outputs.find((x) => x.key === r.key)!);
      res.encoded.set(outputKey(job.source.key, r.key), entry.status === 'ok' ? { ...r, elapsedMs: result.elapsedMs }
        : { key: r.key, status: 'failed', code: entry.code, message: entry.message, ...(r.stderrTail ? { stderrTail: r.stderrTail } : {}), elapsedMs: result.elapsedMs });
      report(run, job.source.path, entry);
    }
  };
  const d = await dispatch({ ...jobSettings(run, plan), jobs: plan.jobs, onJobDone });
  res.interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
  return res;
}

/** Stage 6: with every track's loudness known, settle album gains and retag outputs whose tags differ. */
async function retag(run: Run, records: Records, plan: Plan, res: Results): Promise<void> {
  const { o, info } = run;
  const gains = plan.jobs.length && !o.dryRun ? gainsBySource(plan.plans.map((p) => p.source), plan.loudness) : plan.provisional;
  res.retagJobs = planRetags(plan.plans, gains, plan.tagSettings, (s, po) => {
    const r = res.encoded.get(outputKey(s.key, po.preset.id));
    if (r) return r.status === 'ok' ? r.tagsHash ?? '' : undefined;
    if (po.decision.action !== 'keep') return undefined;
    return (po.adopted ?? po.previous)?.tagsHash ?? '';
  });
  // A kept output's folder may have been swapped for a link out of the output folder since it was made.
  for (const j of res.retagJobs) {
    j.outputs = j.outputs.filter((po) => {
      const escape = records.folder?.escape(po.rel);
      if (escape) res.retagged.set(outputKey(j.source.key, po.preset.id), { key: po.preset.id, status: 'failed', code: 'E_OUTPUT_PATH_UNSAFE', message: `${po.rel}: not retagged: ${escape}` });
      return !escape;
    });
  }
  res.retagJobs = res.retagJobs.filter((j) => j.outputs.length > 0);
  if (o.dryRun || res.interrupted || !res.retagJobs.length) return;
  const d = await dispatch({ ...jobSettings(run, plan), jobs: res.retagJobs, onJobDone: async ({ job, result }, tj) => {
    for (const r of result.outputs) {
      const po = job.outputs.find((x) => x.preset.id === r.key)!;
      const k = outputKey(job.source.key, r.key);
      const enc = res.encoded.get(k);
      const base = enc ? outputEntry(po, info.version, undefined, enc) : { ...(po.adopted ?? po.previous)!, action: 'kept' as const, reason: po.decision.reason };
      const after = r.status === 'ok' ? await publish(run, records, plan, res, job.source, mergeRetag(base, r), tj.outputs.find((x) => x.key === r.key)!) : undefined;
      res.retagged.set(k, after?.status === 'failed' ? { key: r.key, status: 'failed', code: after.code, message: after.message } : r);
    }
  } });
  res.interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
}

/** What the delete stage did. */
interface Deletion {
  removed: Set<string>;
  verdict: DeleteVerdict;
}

/** Stage 7: with --delete, after a complete run, delete orphans unless the guard refuses. */
async function removeOrphans(run: Run, records: Records, found: Found, plan: Plan, res: Results): Promise<Deletion> {
  const { o } = run;
  const log = o.logger;
  const removed = new Set<string>();
  const previousRoots = records.prevManifest?.roots;
  const verdict = deleteVerdict({ orphans: plan.orphans.length, outputs: madeByUs(records.previous).size, problems: found.scan.problems,
    roots: found.scan.roots, ...(previousRoots ? { previousRoots } : {}), ...(o.maxDelete ? { maxDelete: o.maxDelete } : {}), force: o.force });
  if (o.delete && !verdict.allowed && plan.orphans.length) {
    log.warn({ event: 'delete', refused: true, orphans: plan.orphans.length, reason: verdict.reason }, `nothing deleted: ${verdict.reason}`);
  }
  if (!o.delete || o.dryRun || res.interrupted || !plan.orphans.length || !verdict.allowed || !records.folder) return { removed, verdict };
  const { deleted, left } = await deleteOrphans(records.folder, plan.orphans);
  for (const d of deleted) {
    removed.add(orphanKey(d.key, d.output));
    log.info({ event: 'delete', source: d.source, path: d.output.path, reason: `orphan: ${d.reason}` }, `deleted orphan ${d.output.path}`);
  }
  for (const l of left) log.warn({ event: 'delete', path: l.orphan.output.path, reason: l.why }, `left ${l.orphan.output.path} alone: ${l.why}`);
  return { removed, verdict };
}

/** Stage 8: the manifest (this run's sources, then earlier records of sources not seen), summary and result. */
async function record(run: Run, records: Records, found: Found, plan: Plan, res: Results, deletion: Deletion): Promise<RunResult> {
  const { o, info, outDir } = run;
  const log = o.logger;
  const seen = new Set<string>();
  const manifestSources: ManifestSource[] = [];
  const byKey = new Map<string, ManifestSource>();
  for (const p of found.notLossless) {
    const r = p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>;
    const entry: ManifestSource = { path: r.path, root: p.file.root, rel: p.file.rel, size: r.size, mtimeMs: r.mtimeMs, ...r.audio,
      status: r.kind, code: r.code, message: r.message, outputs: [] };
    seen.add(sourceKey(p.file.rootIndex, p.file.rel));
    byKey.set(sourceKey(p.file.rootIndex, p.file.rel), entry);
    manifestSources.push(entry);
    run.emit({ type: 'source', source: entry });
    (r.kind === 'failed' ? log.error : log.warn).call(log, { event: 'source', source: r.path, status: r.kind, code: r.code, reason: r.message }, r.message);
  }
  const retagWanted = new Set(res.retagJobs.flatMap((j) => j.outputs.map((x) => outputKey(j.source.key, x.preset.id))));
  for (const plan1 of plan.plans) {
    const s = plan1.source;
    seen.add(s.key);
    const prev = records.previous.get(s.key);
    const entry = sourceEntry(plan1, res.decoded.get(s.path) ?? prev?.decodedDuration, plan.loudness.get(s.path), (po) => {
      const k = outputKey(s.key, po.preset.id);
      const base = outputFor(run, po, res.encoded.get(k));
      if (po.collision) report(run, s.path, base);
      const rt = res.retagged.get(k);
      if (rt) {
        const after = mergeRetag(base, rt);
        if (base.action === 'kept') report(run, s.path, after);
        return after;
      }
      if (o.dryRun && retagWanted.has(k) && base.action === 'kept') return { ...base, status: 'skipped', action: 'none', reason: 'dry run: would retag (tags or art changed)' };
      return base;
    });
    byKey.set(s.key, entry);
    manifestSources.push(entry);
  }
  // Orphans kept on record say so, whether their source is still here or gone.
  const keptOrphans = plan.orphans.filter((x) => !deletion.removed.has(orphanKey(x.key, x.output)));
  const orphanReason = new Map(keptOrphans.map((x) => [orphanKey(x.key, x.output), `orphan: ${x.reason}`]));
  for (const x of keptOrphans) if (!o.delete) log.info({ event: 'orphan', source: x.source, path: x.output.path, reason: `orphan: ${x.reason}` }, `orphan: ${x.output.path} (${x.reason}); --delete removes it`);
  for (const x of keptOrphans) {
    const entry = byKey.get(x.key);
    if (entry && !entry.outputs.some((y) => y.preset === x.output.preset && y.path === x.output.path)) entry.outputs.push({ ...x.output, reason: `orphan: ${x.reason}` });
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
    const outputs = s.outputs.filter((x) => x.size !== undefined && !deletion.removed.has(orphanKey(key, x)))
      .map((x) => ({ ...x, reason: orphanReason.get(orphanKey(key, x)) ?? `orphan: ${x.reason}` }));
    if (!outputs.length) continue;
    const { code: _c, message: _m, ...facts } = s;
    manifestSources.push({ ...facts, status: 'skipped', code: 'E_SOURCE_GONE', message: ErrorCodes.E_SOURCE_GONE, outputs });
  }

  const thisRun = [...byKey.values()];
  const outputs = thisRun.flatMap((s) => s.outputs);
  const blocking = found.scan.problems.filter(blocksDeletion).length;
  const summary: RunSummary = {
    sources: thisRun.length,
    lossless: found.sources.length,
    skippedSources: thisRun.filter((s) => s.status === 'skipped').length,
    failedSources: thisRun.filter((s) => s.status === 'failed').length,
    ignoredFiles: found.ignored,
    outputsEncoded: outputs.filter((x) => x.action === 'encoded').length,
    outputsKept: outputs.filter((x) => x.action === 'kept' && !x.reason.startsWith('orphan')).length,
    outputsRetagged: outputs.filter((x) => x.action === 'retagged').length,
    outputsFailed: outputs.filter((x) => x.status === 'failed').length,
    orphans: keptOrphans.length,
    orphansDeleted: deletion.removed.size,
    scanProblems: blocking,
    encoderChanged: plan.encoderChanged.length,
    ...(o.delete && !deletion.verdict.allowed && plan.orphans.length ? { deleteRefused: deletion.verdict.reason } : {}),
    audioSeconds: plan.jobs.length && !o.dryRun ? [...new Set(plan.jobs.map((j) => j.source))].filter((s) => res.decoded.has(s.path)).reduce((a, s) => a + (s.duration ?? 0), 0) : 0,
    wallSeconds: (Date.now() - run.startedAt.getTime()) / 1000,
  };
  const exitCode = res.interrupted ? 130 : summary.failedSources || summary.outputsFailed || blocking ? 1 : 0;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'audiofan', version: toolVersion() },
    ffmpeg: run.ffmpeg,
    options: { sources: o.sources.map((s) => resolve(s)), output: outDir, presets: o.presets, jobs: o.jobs, force: o.force,
      followSymlinks: o.followSymlinks, id3v2Version: o.id3v2Version, loudness: o.loudness, artMaxSize: o.artMaxSize ?? null,
      layout: o.layout ?? null, fsProfile: o.fsProfile, reencodeOnEncoderChange: o.reencodeOnEncoderChange },
    roots: found.scan.roots,
    ...(found.scan.problems.length ? { problems: found.scan.problems.map(({ path, kind, reason }) => ({ path, kind, reason })) } : {}),
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted: res.interrupted,
    summary,
    sources: manifestSources,
  };
  await run.journalChain;
  // A run that changed nothing (the common nightly case) leaves the manifest as it is.
  // (A source that was re-read, i.e. new or changed on disk, is a change; one that vanished keeps its record.)
  const changed = plan.jobs.length > 0 || res.retagJobs.length > 0 || deletion.removed.size > 0 || records.folded > 0 || !records.prevManifest
    || found.probed.some((p) => !p.reused) || found.probed.some((p) => p.file.path !== records.previous.get(sourceKey(p.file.rootIndex, p.file.rel))?.path)
    || JSON.stringify(records.prevManifest.roots) !== JSON.stringify(found.scan.roots);
  const manifestPath = o.dryRun ? undefined : join(outDir, MANIFEST_NAME);
  if (!o.dryRun && changed) await writeManifest(outDir, manifest);
  // The manifest now holds everything the journal did.
  await run.journal?.finish();
  run.journal = undefined;
  log.info({ event: 'summary', ...summary, exitCode, manifest: manifestPath }, 'run finished');
  run.emit({ type: 'done', summary, exitCode });
  const actions = actionList(plan.plans, [...res.retagJobs, ...predictedRetags(run, plan)], plan.orphans, o.delete && deletion.verdict.allowed,
    found.notLossless.map((p) => p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>));
  return { ...manifest, manifestPath, exitCode, commands: res.commands, sweptTemps: records.sweptTemps, actions };
}

/**
 * An output's manifest entry before any retag. Outputs this run did not touch keep their record:
 * an interrupted run never turns them into failures, and a failed re-encode leaves the old file (and
 * the record that it is ours) in place.
 */
function outputFor(run: Run, po: PlannedOutput, r: (OutputResult & { elapsedMs: number }) | undefined): ManifestOutput {
  const { o, info } = run;
  if (po.adopted) return po.adopted;
  if (po.decision.action === 'keep' && !po.collision) return { ...po.previous!, action: 'kept', reason: po.decision.reason };
  if (po.collision || o.dryRun) return outputEntry(po, info.version, o.dryRun ? 'dry run' : undefined, r);
  const stillOurs = po.previous && stillOnDisk(run.outDir, po.previous) ? po.previous : undefined;
  // Not reached, or stopped in flight, by an interrupt: the old file (if any) is untouched and still ours.
  if (!r || r.code === 'E_CANCELLED') {
    return stillOurs ? { ...stillOurs, action: 'kept', reason: `not done (run interrupted); was to ${po.decision.action}: ${po.decision.reason}` }
      : outputEntry(po, info.version, 'cancelled');
  }
  const entry = outputEntry(po, info.version, undefined, r);
  if (entry.status === 'failed' && stillOurs) return { ...entry, size: stillOurs.size, mtimeMs: stillOurs.mtimeMs };
  return entry;
}

/** The recorded output is at its path, as recorded. */
function stillOnDisk(outDir: string, x: ManifestOutput): boolean {
  try {
    const st = statSync(join(outDir, x.path));
    return x.size !== undefined && st.size === x.size && st.mtimeMs === x.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * A dry run cannot know the loudness of what it would encode: outputs of the same albums are marked
 * for the album-gain retag the real run would do once those tracks are measured.
 */
function predictedRetags(run: Run, plan: Plan): PlannedJob[] {
  if (!run.o.dryRun || !run.o.loudness) return [];
  const albumsMeasured = new Set(plan.jobs.filter((j) => j.measureLoudness).map((j) => albumKey(j.source)).filter((k) => k !== undefined));
  return plan.plans.filter((p) => albumsMeasured.has(albumKey(p.source) ?? '\0'))
    .map((p) => ({ kind: 'retag' as const, source: p.source, outputs: p.outputs.filter((x) => x.decision.action === 'keep' && canRetag(containerOf(x.preset))), measureLoudness: false }));
}

/**
 * Write-ahead: record the finished output in the journal, then rename it into place, checking first
 * that the place is still inside the output folder.
 */
async function publish(run: Run, records: Records, plan: Plan, res: Results, source: PlannedSource, entry: ManifestOutput,
  out: TranscodeJob['outputs'][number]): Promise<ManifestOutput> {
  const escape = records.folder?.escape(entry.path);
  if (escape) return { ...entry, status: 'failed', action: 'none', code: 'E_OUTPUT_PATH_UNSAFE', message: `${out.final}: not moved into place: ${escape}` };
  try {
    await checkpoint(run, plan, res, source, entry);
    await rename(out.temp, out.final);
    return entry;
  } catch (e) {
    return { ...entry, status: 'failed', action: 'none', code: 'E_OUTPUT_WRITE', message: `${out.final}: cannot move the finished output into place: ${(e as Error).message}` };
  }
}

function checkpoint(run: Run, plan: Plan, res: Results, source: PlannedSource, output: ManifestOutput): Promise<void> {
  const j = run.journal;
  if (!j) return Promise.resolve();
  const { outputs: _o, ...facts } = sourceEntry({ source, outputs: [] }, res.decoded.get(source.path), plan.loudness.get(source.path), () => output);
  // One failed append (a full disk) fails its own output only: the chain goes on for the next.
  const appended = run.journalChain.then(() => j.append({ source: facts, output }));
  run.journalChain = appended.catch(() => undefined);
  return appended;
}

/** One event and one log line per output that was made, retagged, or could not be. */
function report(run: Run, source: string, entry: ManifestOutput) {
  run.emit({ type: 'output', source, output: entry });
  const fields = { event: 'output', source, preset: entry.preset, path: entry.path, status: entry.status, action: entry.action, reason: entry.reason,
    ...(entry.code ? { code: entry.code, error: entry.message } : { size: entry.size, bitrate: entry.bitrate }), elapsedMs: entry.elapsedMs ?? 0 };
  if (entry.status === 'ok') run.o.logger.info(fields, `${entry.preset}: ${entry.path}`);
  else run.o.logger.error(fields, entry.message ?? 'failed');
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
