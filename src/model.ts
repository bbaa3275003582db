/**
 * The data that flows through the pipeline, in one place: what a source is, what the plan decides
 * for each output, what the manifest records, and what a run reports. Types only; the modules that
 * make or use these values import them from here, so no stage imports another just for a type.
 */
import type { CoverRef } from './sources/art.js';
import type { ErrorCode } from './errors.js';
import type { Preset } from './presets/presets.js';
import type { PcmFormat } from './sources/sample-format.js';
import type { GainSet, TrackLoudness } from './tagging/loudness.js';
import type { TagEntries } from './tagging/vorbis-comment.js';

export interface SourceAudio {
  container: string;
  codec: string;
  sampleRate: number;
  bitsPerSample?: number;
  channels: number;
  /** Seconds, from the file's own headers. */
  duration?: number;
  /** When the decoder's output is not yet the master's PCM (DSD): its rate, and the filter that makes the PCM. */
  decode?: { sampleRate: number; filter: string };
}

/** A lossless source ready to be planned. */
export interface SourceInfo extends SourceAudio {
  path: string;
  size: number;
  mtimeMs: number;
  /** Every tag, as canonical [KEY, value] entries (see tagging/source-tags.ts). */
  tags: TagEntries;
  /** The front cover: an embedded picture or a folder image. */
  cover?: CoverRef;
  /** Identifies the audio independently of tags (see fingerprint.ts); set later for non-FLAC files. */
  fingerprint?: string;
  warnings: string[];
}

/** How a lossless output is proven bit-exact (see plan/depth.ts). */
export interface BitExactPlan {
  /** The PCM format the master's and the output's decoded samples are hashed in. */
  format: PcmFormat;
  /** Set when the master may hold more than the target stores ("32-bit integer master in 24-bit FLAC"):
   *  a mismatch is then E_SOURCE_DEPTH, naming it, instead of E_OUTPUT_NOT_BITEXACT. */
  mayNotFit?: string;
  /** The preset allows reducing the depth: the output's arguments with dither, used when the master did not fit. */
  reduceArgs?: string[];
}

export interface OutputFormat {
  sampleRate: number;
  channels: number;
  /** Set when the output is requantised to this many bits. */
  bitDepth?: number;
}

/** A lossless source together with where it was found. */
export interface PlannedSource extends SourceInfo {
  root: string;
  rel: string;
  /** Identity across runs (see source-key.ts): the previous manifest's records are found by it. */
  key: string;
}

export type Decision = { action: 'encode' | 'keep'; reason: string };

/** What the decision needs to know about an output file as it is on disk now. */
export interface OutputState {
  size: number;
  mtimeMs: number;
}

export interface PlannedOutput {
  preset: Preset;
  /** Relative to the output folder. */
  rel: string;
  decision: Decision;
  args: string[];
  format: OutputFormat;
  warnings: string[];
  /** Lossless outputs that keep the master's samples: how that is proven. */
  bitExact?: BitExactPlan;
  /** Why this output cannot be made at its path: another source claims it, or the path is unsafe. */
  collision?: { code: 'E_OUTPUT_COLLISION' | 'E_OUTPUT_PATH_UNSAFE'; message: string };
  /** The previous record of this output (same preset and path), when there is one. */
  previous?: ManifestOutput;
  /** A file found at the output path and recorded as ours by `audiofan adopt`. */
  adopted?: ManifestOutput;
}

export interface SourcePlan {
  source: PlannedSource;
  outputs: PlannedOutput[];
}

/**
 * A unit of work for one worker. encode: one source decoded once into one or more outputs
 * (and measured, when loudness is on); measure: loudness only; retag: tags of existing outputs.
 */
export interface PlannedJob {
  kind: 'encode' | 'measure' | 'retag';
  source: PlannedSource;
  outputs: PlannedOutput[];
  measureLoudness: boolean;
  /** Gains known before the job runs (album gain; for retag, track gain too). */
  gains?: GainSet;
}

export type Status = 'ok' | 'failed' | 'skipped';

/**
 * An output's status: a source's, or `orphan`: audiofan made it, it is still on disk, but its source is
 * gone or no longer selected, its preset was dropped, or its name changed (the reason says which).
 */
export type OutputStatus = Status | 'orphan';

/** What a made output is, as read back from the file: the worker reports it, the manifest records it. */
export interface OutputFacts {
  size?: number;
  mtimeMs?: number;
  duration?: number;
  /** Average bitrate in bits per second. */
  bitrate?: number;
  codec?: string;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  /** Lossless outputs: "<pcm format>:<md5>" of the decoded samples, verified equal to the master's (bit-exact). */
  pcmMd5?: string;
}

export interface ManifestOutput extends OutputFacts {
  preset: string;
  presetHash: string;
  /** Relative to the output folder. */
  path: string;
  status: OutputStatus;
  /**
   * encoded: made by this run; retagged: only its tags rewritten; copied: a lossy master or an extra file copied
   * unchanged by this run (--lossy copy, --extras); kept: already up to date (or an orphan left in place); none: not made.
   */
  action: 'encoded' | 'retagged' | 'copied' | 'kept' | 'none';
  reason: string;
  ffmpegVersion: string;
  /** The worker machine that made it (a run with --queue); its ffmpeg's version is ffmpegVersion. */
  host?: string;
  elapsedMs?: number;
  code?: ErrorCode;
  message?: string;
  stderrTail?: string;
  warnings?: string[];
  /** Hash of the tags and art the file carries (see tagging/compose.ts). */
  tagsHash?: string;
  /** Loudness values written into its tags. */
  gains?: GainSet;
}

export interface ManifestSource extends Partial<SourceAudio> {
  path: string;
  root?: string;
  rel?: string;
  size?: number;
  mtimeMs?: number;
  status: Status;
  code?: ErrorCode;
  message?: string;
  /** Seconds of audio ffmpeg actually decoded, when it was decoded this run or before. */
  decodedDuration?: number;
  /** Every tag, as canonical [KEY, value] entries. */
  tags?: TagEntries;
  cover?: CoverRef;
  /** Identifies the audio independently of tags: equal on a changed file means only tags changed. */
  fingerprint?: string;
  /** EBU R128 measurement of the source (with its gating-block histogram, for album loudness). */
  loudness?: TrackLoudness;
  /** Why the master is damaged, when its outputs were made anyway (--accept-damaged). */
  damaged?: string;
  warnings?: string[];
  outputs: ManifestOutput[];
}

/** A file the scan found that is not a source, and why (covers, cue sheets, films, unrecognised content). */
export interface IgnoredFile {
  path: string;
  root?: string;
  rel?: string;
  /** Set when the file was opened to decide: unchanged, it is not opened again. */
  size?: number;
  mtimeMs?: number;
  reason: string;
}

export interface RunSummary {
  sources: number;
  lossless: number;
  skippedSources: number;
  failedSources: number;
  ignoredFiles: number;
  outputsEncoded: number;
  outputsKept: number;
  outputsRetagged: number;
  outputsFailed: number;
  /** Outputs audiofan made whose source is gone or no longer selected: deleted with --delete, else listed. */
  orphans: number;
  orphansDeleted: number;
  /** Folders or links the scan could not look into (unreadable, dangling, an empty source folder). */
  scanProblems?: number;
  /** Outputs kept although another ffmpeg version made them (see --reencode-on-encoder-change). */
  encoderChanged?: number;
  /** Damaged masters converted anyway (--accept-damaged); their entries say why. */
  damagedSources?: number;
  /** Why --delete deleted nothing this run, when it refused. */
  deleteRefused?: string;
  /** Outputs an interrupt stopped before they were done (not failures: the next run does them). */
  outputsInterrupted?: number;
  /** Per preset of this run or of its orphans: the same counts as above, and the space its outputs take. */
  presets?: Record<string, PresetTally>;
  /** Bytes of the lossless sources (masters) of this run, to weigh the outputs' space against. */
  mastersBytes?: number;
  /** Bytes of the outputs this run encoded or retagged. */
  bytesWritten?: number;
  /** Seconds of source audio converted this run. */
  audioSeconds: number;
  wallSeconds: number;
}

/** One preset's line of the run summary. */
export interface PresetTally {
  encoded: number;
  retagged: number;
  kept: number;
  failed: number;
  /** Stopped by an interrupt before they were done (the next run does them). */
  interrupted: number;
  orphans: number;
  /** Bytes this run wrote for the preset (encoded and retagged outputs). */
  bytesWritten: number;
  /** Bytes all the preset's current outputs take on disk (orphans not included). */
  bytes: number;
}

export interface Manifest {
  /** MANIFEST_VERSION of store/manifest.ts. */
  manifestVersion: 1;
  tool: { name: 'audiofan'; version: string };
  ffmpeg: { path: string; version: string; source: string };
  options: Record<string, unknown>;
  /** The source folders as found, by position: their devices tell a mounted share from its empty mount point. */
  roots?: { path: string; dev: number; files: number }[];
  /** What the scan could not look into, with the reason. */
  problems?: { path: string; kind: string; reason: string }[];
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  summary: RunSummary;
  sources: ManifestSource[];
  /** Every file seen this run that is not a source, with the reason. */
  ignored?: IgnoredFile[];
}

/** A job running now, as progress reports it. */
export interface ActiveJob {
  /** The source (master) being decoded. */
  source: string;
  /** The presets this job makes. */
  presets: string[];
  /** Seconds of the source converted so far, and its length when known. */
  seconds: number;
  duration?: number;
}

/**
 * Progress of one phase: `encode` (audio converted) or `retag` (tags of existing outputs rewritten,
 * decoding nothing). Sent at most four times a second, and whenever a job starts or finishes.
 */
export interface ProgressEvent {
  type: 'progress';
  phase: 'encode' | 'retag';
  /** Outputs finished (made or failed; not those an interrupt stopped) / to do in this phase. */
  outputsDone: number;
  outputsTotal: number;
  /** Sources (masters) all of whose outputs are finished / sources to do in this phase. */
  sourcesDone: number;
  sourcesTotal: number;
  /** Bytes of the outputs finished so far in this phase. */
  bytesWritten: number;
  /** Seconds since the phase started. */
  elapsedSeconds: number;
  /** The jobs running now, oldest first. */
  active: ActiveJob[];
  /** Seconds of source audio converted so far / in all. */
  audioSecondsDone: number;
  audioSecondsTotal: number;
  /** Audio seconds per wall-clock second (× realtime) since the phase started; 0 for a retag phase. */
  speed: number;
  /**
   * Seconds left, smoothed (see transcode/eta.ts) so it counts down rather than jumps; undefined until it
   * means something (a few seconds in and a few percent done), and always for a retag phase.
   */
  etaSeconds?: number;
}

export type RunEvent =
  | { type: 'start'; outDir: string; presets: string[]; ffmpeg: { path: string; version: string; source: string } }
  | { type: 'scanned'; files: number; lossless: number; skipped: number; failed: number; ignored: number }
  | { type: 'planned'; jobs: number; encode: number; keep: number; audioSeconds: number }
  | { type: 'source'; source: ManifestSource }
  | { type: 'output'; source: string; output: ManifestOutput }
  | { type: 'command'; argv: string[] }
  | ProgressEvent
  | { type: 'done'; summary: RunSummary; exitCode: number };

/** One line of the plan: what happens to one output (or source) and why. */
export interface PlannedAction {
  action: 'encode' | 'retag' | 'keep' | 'delete' | 'orphan' | 'skip' | 'fail';
  source: string;
  preset?: string;
  path?: string;
  reason: string;
}

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

/** The subset of pino's logger interface audiofan calls (pino loggers satisfy it). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
