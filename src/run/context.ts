/**
 * What the coordinator's stages hand each other: the run (options, presets, ffmpeg, output folder,
 * events), the previous records, what was found, the plan, and what the jobs produced.
 */
import { resolve } from 'node:path';
import { statOrUndefined } from '../sources/scan.js';
import type { OutputFolder } from '../store/contain.js';
import type { DeleteVerdict } from '../plan/delete-guard.js';
import type { Executor } from '../transcode/executor.js';
import { localPool } from '../transcode/local-pool.js';
import { queueExecutor } from '../queue/executor.js';
import { requirements } from '../ffmpeg/capabilities.js';
import type { FfmpegInfo } from '../ffmpeg/adapter.js';
import type { OutputResult } from '../transcode/job.js';
import type { Journal } from '../store/journal.js';
import type { TrackLoudness } from '../tagging/loudness.js';
import type { ResolvedOptions } from './options.js';
import type { Orphan } from '../store/orphans.js';
import type { Preset } from '../presets/presets.js';
import type { gainsBySource } from '../plan/reconcile.js';
import type { ScanResult } from '../sources/scan.js';
import type { Probed } from '../sources/probe-all.js';
import type {
  IgnoredFile,
  Manifest,
  ManifestOutput,
  ManifestSource,
  PlannedJob,
  PlannedOutput,
  PlannedSource,
  RunEvent,
  SourcePlan,
} from '../model.js';

/** What every stage reads: resolved options, presets, ffmpeg, the output folder, and the event sink. */
export interface Run {
  o: ResolvedOptions;
  startedAt: Date;
  presets: Preset[];
  ffmpeg: { path: string; version: string; source: string };
  info: FfmpegInfo;
  outDir: string;
  emit: (ev: RunEvent) => void;
  journal?: Journal;
  executor?: Executor;
}

/** The previous run's records, by source key, with an interrupted run's journal folded in. */
export interface Records {
  previous: Map<string, ManifestSource>;
  /** The previous run's ignored files, by source key: unchanged ones are not opened again. */
  ignored: Map<string, IgnoredFile>;
  prevManifest?: Manifest;
  folded: number;
  sweptTemps: string[];
  /** Undefined for a dry run of a folder that does not exist yet. */
  folder?: OutputFolder;
  /** Paths of the outputs the records say audiofan made (see store/outputs-on-disk.ts madeByUs). */
  ours: Set<string>;
}

/** What the sources are: the walk, each file probed (or its record reused), lossless ones fingerprinted. */
export interface Found {
  scan: ScanResult;
  probed: Probed[];
  sources: PlannedSource[];
  notLossless: Probed[];
  ignored: number;
}

/** The run's plan: each output's decision, orphans, loudness already known, and the jobs to run. */
export interface Plan {
  plans: SourcePlan[];
  orphans: Orphan[];
  loudness: Map<string, TrackLoudness>;
  jobs: PlannedJob[];
  provisional: ReturnType<typeof gainsBySource>;
  tagSettings: {
    id3Version: 3 | 4;
    loudness: boolean;
    truePeak?: boolean;
    artMaxSize?: number;
    acceptDamaged?: boolean;
  };
  /** Outputs kept although another ffmpeg version made them. */
  encoderChanged: PlannedOutput[];
  /** A source key lies where the scan could not look: its record is kept as it was. */
  unknown: (key: string) => boolean;
}

/** What the encode and retag stages produced, by output key. */
export interface Results {
  encoded: Map<string, OutputResult & { elapsedMs: number }>;
  retagged: Map<string, OutputResult>;
  retagJobs: PlannedJob[];
  decoded: Map<string, number>;
  /** Masters found damaged whose outputs were made anyway (--accept-damaged): path -> why. */
  damaged?: Map<string, string>;
  commands: string[][];
  interrupted: boolean;
  /** Lossy masters and extras copied or kept (run/copies.ts); absent when neither is asked for. */
  copies?: Copies;
}

/** What the copy stage did: copy entries by source key, extras' own source entries, and whether anything changed. */
export interface Copies {
  outputs: Map<string, ManifestOutput[]>;
  /** Why a lossy master was not copied anywhere (--lossy copy, but no chosen preset holds its codec). */
  notes: Map<string, string>;
  extraSources: { key: string; entry: ManifestSource }[];
  changed: boolean;
}

/** What the delete stage did. */
export interface Deletion {
  removed: Set<string>;
  verdict: DeleteVerdict;
}

export function jobSettings(run: Run, plan: Plan) {
  const { o } = run;
  return {
    executor: executorOf(run),
    outDir: run.outDir,
    ffmpegPath: run.ffmpeg.path,
    killGraceMs: o.killGraceMs,
    tagOptions: plan.tagSettings,
    signal: o.signal,
    onProgress: run.emit,
  };
}

/** One executor per run, made when the first job needs it (a no-op run starts no threads). */
export function executorOf(run: Run): Executor {
  run.executor ??= (run.o.executor ?? (run.o.queue ? queueOf(run, run.o.queue) : localPool))(run.o.jobs);
  return run.executor;
}

/** The queue executor for a run (--queue): where it writes, what it reads and what its presets need. */
function queueOf(run: Run, q: NonNullable<Run['o']['queue']>) {
  const { o } = run;
  const info = { outDir: run.outDir, sources: o.sources.map((s) => resolve(s)), logger: o.logger };
  return queueExecutor(q, { ...info, needs: requirements(run.info, run.presets), killGraceMs: o.killGraceMs });
}

/** One event and one log line per output that was made, retagged, or could not be. */
export function report(run: Run, source: string, entry: ManifestOutput) {
  run.emit({ type: 'output', source, output: entry });
  const fields = {
    event: 'output',
    source,
    preset: entry.preset,
    path: entry.path,
    status: entry.status,
    action: entry.action,
    reason: entry.reason,
    ...(entry.code ? { code: entry.code, error: entry.message } : { size: entry.size, bitrate: entry.bitrate }),
    ...(entry.host ? { host: entry.host } : {}),
    elapsedMs: entry.elapsedMs ?? 0,
  };
  // An output made with a loss (a cover left out, tags its container cannot hold) says so at warn level.
  if (entry.status === 'ok' && entry.warnings?.length)
    run.o.logger.warn(
      { ...fields, warnings: entry.warnings },
      `${entry.preset}: ${entry.path}: ${entry.warnings.join('; ')}`,
    );
  else if (entry.status === 'ok') run.o.logger.info(fields, `${entry.preset}: ${entry.path}`);
  else run.o.logger.error(fields, entry.message ?? 'failed');
}

export function isDirectory(p: string): boolean {
  return !!statOrUndefined(p)?.isDirectory();
}

/** One log line per source whose outputs an interrupt stopped in flight: named, and no failure. */
export function reportInterrupted(run: Run, source: string, presets: string[]) {
  run.o.logger.warn(
    { event: 'interrupted', status: 'interrupted', source, presets, code: 'E_CANCELLED' },
    `interrupted: ${source} (${presets.join(', ')}) not done; the next run does it`,
  );
}
