/**
 * The coordinator: scan -> probe -> plan -> dispatch (workers transcode) -> manifest.
 * Only usage and configuration errors reject; every per-file problem is manifest data.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { actionList, type PlannedAction } from './actions.js';
import { sweepStaleTemps } from './atomic.js';
import { assertCapabilities } from './capabilities.js';
import { dispatch, toTranscodeJob, type JobOutcome } from './dispatch.js';
import { AudiofanError } from './errors.js';
import { commandArgs, inspectFfmpeg } from './ffmpeg.js';
import { locateFfmpeg } from './ffmpeg-locate.js';
import { fingerprintAll } from './fingerprint.js';
import { commandSpec, type OutputResult, type TranscodeJob } from './job.js';
import { foldJournal, Journal } from './journal.js';
import { parseLayout } from './layout.js';
import { LibraryRun, type RunEvent } from './library-run.js';
import { acquireLock } from './lock.js';
import type { TrackLoudness } from './loudness.js';
import { readManifest, writeManifest, MANIFEST_NAME, MANIFEST_VERSION, type Manifest, type ManifestOutput, type ManifestSource, type RunSummary } from './manifest.js';
import { mergeRetag, outputEntry, sourceEntry } from './manifest-entries.js';
import { resolveOptions, type ConvertOptions } from './options.js';
import { deleteOrphans, findOrphans, orphanKey } from './orphans.js';
import { refuseForeignFiles, statOutputs } from './outputs-on-disk.js';
import { groupJobs, planSources, type PlannedSource } from './plan.js';
import { containerOf, loadPresets, selectPresets } from './presets.js';
import { albumKey, gainsBySource, planRetags } from './reconcile.js';
import { scanSources } from './scan.js';
import { probeAll, toPlanned } from './sources.js';
import { toolVersion } from './version.js';

/** The run's result: the manifest's data plus what only the caller needs. */
export type { PlannedAction } from './actions.js';

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
  return new LibraryRun((emit) => execute(options, emit));
}

async function execute(options: ConvertOptions, emit: (ev: RunEvent) => void): Promise<RunResult> {
  const startedAt = new Date();
  const o = resolveOptions(options);
  const log = o.logger;
  const presets = selectPresets(loadPresets({ dirs: o.presetDirs, inline: o.extraPresets.map((data, i) => ({ data, origin: `extraPresets[${i}]` })) }), o.presets);
  const located = locateFfmpeg(o.ffmpegPath);
  const info = await inspectFfmpeg(located.path);
  assertCapabilities(located, info, presets);
  const ffmpeg = { path: located.path, version: info.version, source: located.source };
  const outDir = resolve(o.output);
  emit({ type: 'start', outDir, presets: presets.map((p) => p.id), ffmpeg });

  const files = await scanSources(o.sources, { followSymlinks: o.followSymlinks, exclude: [outDir] });
  // A missing output folder is usually an unmounted disk: never fill the wrong one.
  if (!(await stat(outDir).then((st) => st.isDirectory(), () => false))) {
    if (o.create && !o.dryRun) await mkdir(outDir, { recursive: true });
    else if (!o.dryRun) throw new AudiofanError('E_OUTPUT_MISSING', `output folder ${outDir} does not exist (is the disk mounted?); give --create to make it`, { file: outDir });
  }
  const lock = o.dryRun ? undefined : await acquireLock(outDir);
  if (lock?.tookOver) log.warn({ event: 'lock', staleLock: lock.tookOver }, `took over the lock of a run that is gone (pid ${lock.tookOver.pid})`);
  let journal: Journal | undefined;
  try {
  const prevRead = await readManifest(outDir);
  if (prevRead.warning) log.warn({ event: 'manifest', warning: prevRead.warning }, prevRead.warning);
  const previous = new Map((prevRead.manifest?.sources ?? []).map((s) => [s.path, s]));
  const folded = await foldJournal(outDir, previous);
  if (folded) log.info({ event: 'journal', entries: folded }, `recovered ${folded} finished output(s) from an interrupted run's journal`);
  // Temporaries outlive only a run that died (SIGKILL, power loss), and such a run leaves its lock or
  // its journal behind: only then is the whole output tree walked for them.
  const sweptTemps = o.dryRun || !(lock?.tookOver || folded) ? [] : await sweepStaleTemps(outDir);
  if (sweptTemps.length) log.info({ event: 'sweep', removed: sweptTemps }, `removed ${sweptTemps.length} stale temporary file(s)`);
  journal = o.dryRun ? undefined : await Journal.open(outDir);
  let journalChain = Promise.resolve();

  const probed = await probeAll(files, previous, 8, o.signal);
  const sources = probed.map(toPlanned).filter((s) => s !== undefined);
  await fingerprintAll(sources, located.path, o.jobs, log);
  const notLossless = probed.filter((p) => p.result.kind === 'skipped' || p.result.kind === 'failed');
  const ignored = probed.filter((p) => p.result.kind === 'ignored').length;
  emit({ type: 'scanned', files: files.length, lossless: sources.length, ignored,
    skipped: notLossless.filter((p) => p.result.kind === 'skipped').length, failed: notLossless.filter((p) => p.result.kind === 'failed').length });

  const onDisk = await statOutputs(outDir, previous, presets.map((p) => p.id));
  const naming = { profile: o.fsProfile, ...(o.layout ? { layout: parseLayout(o.layout) } : {}) };
  const plans = planSources({ sources, presets, ctx: { soxr: info.soxr }, ffmpegVersion: info.version, force: o.force, previous, onDisk, naming, outDir });
  if (!o.force) await refuseForeignFiles(plans, outDir);
  const present = new Set(files.map((f) => f.path));
  const orphans = findOrphans(previous, plans, present, presets.map((p) => p.id));
  const tagSettings = { id3Version: o.id3v2Version, loudness: o.loudness, ...(o.artMaxSize ? { artMaxSize: o.artMaxSize } : {}) };
  // Loudness measured before stays valid while the audio is unchanged (a tags-only edit keeps it).
  const loudness = new Map<string, TrackLoudness>();
  for (const s of sources) {
    const p = previous.get(s.path);
    const same = p && ((p.size === s.size && p.mtimeMs === s.mtimeMs) || (p.fingerprint !== undefined && p.fingerprint === s.fingerprint));
    if (p?.loudness && same) loudness.set(s.path, p.loudness);
  }
  const jobs = groupJobs(plans, o.jobs, (s) => o.loudness && !loudness.has(s.path));
  // Encodes are tagged with the gains known now; album gains are settled by the tag stage below.
  const provisional = gainsBySource(sources, loudness);
  for (const j of jobs) j.gains = provisional.get(j.source.path);
  const encodeCount = jobs.reduce((a, j) => a + j.outputs.length, 0);
  const keepCount = plans.reduce((a, p) => a + p.outputs.filter((x) => x.decision.action === 'keep').length, 0);
  emit({ type: 'planned', jobs: jobs.length, encode: encodeCount, keep: keepCount,
    audioSeconds: [...new Set(jobs.map((j) => j.source))].reduce((a, s) => a + (s.duration ?? 0), 0) });

  const commands: string[][] = [];
  const encoded = new Map<string, OutputResult & { elapsedMs: number }>();
  const retagged = new Map<string, OutputResult>();
  const decoded = new Map<string, number>();
  const key = (path: string, preset: string) => `${path}\0${preset}`;
  const jobArgs = { outDir, ffmpegPath: located.path, threads: o.jobs, killGraceMs: o.killGraceMs, tagOptions: tagSettings, signal: o.signal, onProgress: emit };
  let interrupted = !!o.signal?.aborted;
  if (o.dryRun) {
    jobs.forEach((job, id) => {
      const tj = toTranscodeJob(id, job, outDir, located.path, o.killGraceMs, tagSettings);
      const argv = [located.path, ...commandArgs(located.path, commandSpec(tj))];
      commands.push(argv);
      emit({ type: 'command', argv });
    });
  } else if (!interrupted && jobs.length) {
    const onJobDone = async ({ job, result }: JobOutcome, tj: TranscodeJob) => {
      if (result.decodedSeconds !== undefined) decoded.set(job.source.path, result.decodedSeconds);
      if (result.loudness) loudness.set(job.source.path, result.loudness);
      for (const r of result.outputs) {
        const planned = job.outputs.find((x) => x.preset.id === r.key)!;
        let entry = outputEntry(planned, info.version, undefined, { ...r, elapsedMs: result.elapsedMs });
        if (entry.status === 'ok') entry = await publish(job.source, entry, tj.outputs.find((x) => x.key === r.key)!, r);
        encoded.set(key(job.source.path, r.key), entry.status === 'ok' ? { ...r, elapsedMs: result.elapsedMs } : { key: r.key, status: 'failed', code: entry.code, message: entry.message, ...(r.stderrTail ? { stderrTail: r.stderrTail } : {}), elapsedMs: result.elapsedMs });
        report(job.source.path, entry, result.elapsedMs);
      }
    };
    const d = await dispatch({ ...jobArgs, jobs, onJobDone });
    interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
  }

  // The tag stage: with every track's loudness known, settle album gains, and retag (without
  // re-encoding) every good output whose tags or art differ from what they should be.
  const gains = jobs.length && !o.dryRun ? gainsBySource(sources, loudness) : provisional;
  const retagJobs = planRetags(plans, gains, tagSettings, (s, po) => {
    const r = encoded.get(key(s.path, po.preset.id));
    if (r) return r.status === 'ok' ? r.tagsHash ?? '' : undefined;
    if (po.decision.action !== 'keep') return undefined;
    return previous.get(s.path)?.outputs.find((x) => x.preset === po.preset.id && x.path === po.rel)?.tagsHash ?? '';
  });
  if (!o.dryRun && !interrupted && retagJobs.length) {
    const d = await dispatch({ ...jobArgs, jobs: retagJobs, onJobDone: async ({ job, result }, tj) => {
      for (const r of result.outputs) {
        const po = job.outputs.find((x) => x.preset.id === r.key)!;
        const base = encoded.get(key(job.source.path, r.key)) ? outputEntry(po, info.version, undefined, encoded.get(key(job.source.path, r.key)))
          : { ...previous.get(job.source.path)?.outputs.find((x) => x.preset === po.preset.id && x.path === po.rel)!, action: 'kept' as const, reason: po.decision.reason };
        const after = r.status === 'ok' ? await publish(job.source, mergeRetag(base, r), tj.outputs.find((x) => x.key === r.key)!, r) : undefined;
        retagged.set(key(job.source.path, r.key), after?.status === 'failed' ? { key: r.key, status: 'failed', code: after.code, message: after.message } : r);
      }
    } });
    interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
  }
  const retagWanted = new Set(retagJobs.flatMap((j) => j.outputs.map((x) => key(j.source.path, x.preset.id))));

  // Build the manifest: this run's sources, then earlier records of sources not seen this time.
  const seen = new Set<string>();
  const manifestSources: ManifestSource[] = [];
  for (const p of notLossless) {
    const r = p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>;
    const entry: ManifestSource = { path: r.path, root: p.file.root, rel: p.file.rel, size: r.size, mtimeMs: r.mtimeMs, ...r.audio,
      status: r.kind, code: r.code, message: r.message, outputs: [] };
    seen.add(r.path);
    manifestSources.push(entry);
    emit({ type: 'source', source: entry });
    (r.kind === 'failed' ? log.error : log.warn).call(log, { event: 'source', source: r.path, status: r.kind, code: r.code }, r.message);
  }
  for (const plan of plans) {
    seen.add(plan.source.path);
    const prev = previous.get(plan.source.path);
    manifestSources.push(sourceEntry(plan, decoded.get(plan.source.path) ?? prev?.decodedDuration, loudness.get(plan.source.path), (po) => {
      const k = key(plan.source.path, po.preset.id);
      const prevOut = prev?.outputs.find((x) => x.preset === po.preset.id && x.path === po.rel);
      const base = po.decision.action === 'keep' ? { ...prevOut!, action: 'kept' as const, reason: po.decision.reason }
        : outputEntry(po, info.version, o.dryRun ? 'dry run' : 'cancelled', encoded.get(k));
      const rt = retagged.get(k);
      if (rt) {
        const after = mergeRetag(base, rt);
        if (base.action === 'kept') report(plan.source.path, after, 0);
        return after;
      }
      if (o.dryRun && retagWanted.has(k) && base.action === 'kept') return { ...base, status: 'skipped', action: 'none', reason: 'dry run: would retag (tags or art changed)' };
      return base;
    }));
  }
  // Orphans: deleted with --delete (only after a complete run), otherwise kept on record and listed.
  const removed = new Set<string>();
  if (o.delete && !o.dryRun && !interrupted && orphans.length) {
    const { deleted, left } = await deleteOrphans(outDir, orphans);
    for (const d of deleted) {
      removed.add(orphanKey(d.source, d.output));
      log.info({ event: 'delete', source: d.source, path: d.output.path, reason: d.reason }, `deleted orphan ${d.output.path}`);
    }
    for (const l of left) log.warn({ event: 'delete', path: l.orphan.output.path, skipped: l.why }, `left ${l.orphan.output.path} alone: ${l.why}`);
  }
  const keptOrphans = orphans.filter((x) => !removed.has(orphanKey(x.source, x.output)));
  for (const x of keptOrphans) if (!o.delete) log.info({ event: 'orphan', source: x.source, path: x.output.path, reason: x.reason }, `orphan: ${x.output.path} (${x.reason}); --delete removes it`);
  for (const entry of manifestSources) {
    const mine = keptOrphans.filter((x) => x.source === entry.path && !entry.outputs.some((y) => y.preset === x.output.preset && y.path === x.output.path));
    entry.outputs.push(...mine.map((x) => ({ ...x.output, reason: `orphan: ${x.reason}` })));
  }
  manifestSources.sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const s of previous.values()) {
    if (seen.has(s.path)) continue;
    const outputs = s.outputs.filter((x) => !removed.has(orphanKey(s.path, x)));
    if (outputs.length || !o.delete) manifestSources.push({ ...s, outputs });
  }

  const thisRun = manifestSources.filter((s) => seen.has(s.path));
  const outputs = thisRun.flatMap((s) => s.outputs);
  const summary: RunSummary = {
    sources: thisRun.length,
    lossless: sources.length,
    skippedSources: thisRun.filter((s) => s.status === 'skipped').length,
    failedSources: thisRun.filter((s) => s.status === 'failed').length,
    ignoredFiles: ignored,
    outputsEncoded: outputs.filter((x) => x.action === 'encoded').length,
    outputsKept: outputs.filter((x) => x.action === 'kept').length,
    outputsRetagged: outputs.filter((x) => x.action === 'retagged').length,
    outputsFailed: outputs.filter((x) => x.status === 'failed').length,
    orphans: keptOrphans.length,
    orphansDeleted: removed.size,
    audioSeconds: jobs.length && !o.dryRun ? [...new Set(jobs.map((j) => j.source))].filter((s) => decoded.has(s.path)).reduce((a, s) => a + (s.duration ?? 0), 0) : 0,
    wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
  };
  const exitCode = interrupted ? 130 : summary.failedSources || summary.outputsFailed ? 1 : 0;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'audiofan', version: toolVersion() },
    ffmpeg,
    options: { sources: o.sources.map((s) => resolve(s)), output: outDir, presets: o.presets, jobs: o.jobs, force: o.force,
      followSymlinks: o.followSymlinks, id3v2Version: o.id3v2Version, loudness: o.loudness, artMaxSize: o.artMaxSize ?? null,
      layout: o.layout ?? null, fsProfile: o.fsProfile },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    interrupted,
    summary,
    sources: manifestSources,
  };
  await journalChain;
  // A run that changed nothing (the common nightly case) leaves the manifest as it is.
  // (A source that was re-read, i.e. new or changed on disk, is a change; one that vanished keeps its record.)
  const changed = jobs.length > 0 || retagJobs.length > 0 || removed.size > 0 || folded > 0 || !prevRead.manifest
    || probed.some((p) => !p.reused);
  const manifestPath = o.dryRun ? undefined : join(outDir, MANIFEST_NAME);
  if (!o.dryRun && changed) await writeManifest(outDir, manifest);
  // The manifest now holds everything the journal did.
  await journal?.finish();
  journal = undefined;
  log.info({ event: 'summary', ...summary, exitCode, manifest: manifestPath }, 'run finished');
  emit({ type: 'done', summary, exitCode });
  // A dry run cannot know the loudness of what it would encode: outputs of the same albums are marked
  // for the album-gain retag the real run would do once those tracks are measured.
  const albumsMeasured = new Set(jobs.filter((j) => j.measureLoudness).map((j) => albumKey(j.source)).filter((k) => k !== undefined));
  const predicted = o.dryRun && o.loudness ? plans.filter((p) => albumsMeasured.has(albumKey(p.source) ?? '\0'))
    .map((p) => ({ kind: 'retag' as const, source: p.source, outputs: p.outputs.filter((x) => x.decision.action === 'keep' && containerOf(x.preset).tagWriter !== 'ffmpeg'), measureLoudness: false })) : [];
  const actions = actionList(plans, [...retagJobs, ...predicted], orphans, o.delete, notLossless.map((p) => p.result as Extract<typeof p.result, { kind: 'skipped' | 'failed' }>));
  return { ...manifest, manifestPath, exitCode, commands, sweptTemps, actions };

  /** Write-ahead: record the finished output in the journal, then rename it into place. */
  async function publish(source: PlannedSource, entry: ManifestOutput, out: TranscodeJob['outputs'][number], r: OutputResult): Promise<ManifestOutput> {
    try {
      await checkpoint(source, entry);
      await rename(out.temp, out.final);
      return entry;
    } catch (e) {
      return { ...entry, status: 'failed', action: 'none', code: 'E_OUTPUT_WRITE', message: `${out.final}: cannot move the finished output into place: ${(e as Error).message}` };
    }
  }

  function checkpoint(source: PlannedSource, output: ManifestOutput): Promise<void> {
    if (!journal) return Promise.resolve();
    const j = journal;
    const { outputs: _o, ...facts } = sourceEntry({ source, outputs: [] }, decoded.get(source.path), loudness.get(source.path), () => output);
    // One failed append (a full disk) fails its own output only: the chain goes on for the next.
    const appended = journalChain.then(() => j.append({ source: facts, output }));
    journalChain = appended.catch(() => undefined);
    return appended;
  }

  } finally {
    await journal?.close();
    await lock?.release();
  }

  function report(source: string, entry: ManifestOutput, elapsedMs: number) {
    emit({ type: 'output', source, output: entry });
    const fields = { event: 'output', source, preset: entry.preset, path: entry.path, status: entry.status, action: entry.action,
      ...(entry.code ? { code: entry.code, error: entry.message } : { size: entry.size, bitrate: entry.bitrate }), elapsedMs };
    if (entry.status === 'ok') log.info(fields, `${entry.preset}: ${entry.path}`);
    else log.error(fields, entry.message ?? 'failed');
  }
}
