/**
 * The contract between the coordinator and a transcode worker: plain data both ways, because
 * anything crossing a thread boundary is structured-cloned (errors lose their class and code).
 */
export { durationTolerance, truncationSlack } from '../tolerances.js';
import type { CoverRef } from '../sources/art.js';
import type { ErrorCode } from '../errors.js';
import type { CommandSpec } from '../ffmpeg/adapter.js';
import { ebur128Filter, type GainSet, type PeakKind, type TrackLoudness } from '../tagging/loudness.js';
import type { TagWriter } from '../tagging/compose.js';
import type { Id3Version } from '../tagging/id3v2.js';
import type { TagEntries } from '../tagging/vorbis-comment.js';
import type { BitExactPlan, OutputFacts } from '../model.js';
import { hashOutputArgs, type MasterHash } from './hash-plan.js';

/** Everything a worker needs to write an output's tags and cover. */
export interface TagInput {
  /** The source's canonical tag entries. */
  entries: TagEntries;
  cover?: CoverRef;
  artMaxSize?: number;
  id3Version: Id3Version;
  /** Write loudness tags. */
  loudness: boolean;
  /** Known gains (retag: track and album; encode: album, when already known). */
  gains?: GainSet;
}

export interface JobOutput {
  key: string;
  final: string;
  temp: string;
  /** Where its tags are written before being renamed to `temp`; chosen by the coordinator, which removes it
   *  after the job, so not even a thread that died mid-write leaves it behind. */
  tagTemp: string;
  /** ffmpeg output arguments (encode jobs). */
  args: string[];
  writer: TagWriter;
  /** Embed the cover (preset allows art and the container can hold it). */
  art: boolean;
  /** A lossless copy of the master's samples: proven by comparing with master hash number `hash`. */
  bitExact?: BitExactPlan & { hash: number };
}

export interface TranscodeJob {
  id: number;
  /** encode: ffmpeg makes the outputs; retag: only the tags of existing outputs are rewritten;
   *  measure: only the loudness of the source is measured. */
  kind: 'encode' | 'retag' | 'measure';
  ffmpegPath: string;
  source: {
    path: string;
    size: number;
    mtimeMs: number;
    sampleRate: number;
    duration?: number;
    /** Turns the decoder's output into the master's PCM (DSD); the loudness meter measures that PCM. */
    decodeFilter?: string;
  };
  outputs: JobOutput[];
  /** Run the ebur128 branch alongside the encoders. */
  measureLoudness: boolean;
  /** The peak the meter reports (ReplayGain PEAK tags). */
  peak: PeakKind;
  tags: TagInput;
  /** How long ffmpeg gets between SIGTERM and SIGKILL when cancelled. */
  killGraceMs: number;
  /** Hashes of the master's decoded samples the run computes (see hash-plan.ts). Default none. */
  hashes?: MasterHash[];
  /** Which of them is in the form of a FLAC master's STREAMINFO MD5. */
  streamInfoHash?: number;
  /** Outputs of a damaged master are made anyway, and say so (--accept-damaged). Default false. */
  acceptDamaged?: boolean;
}

export interface OutputResult extends OutputFacts {
  key: string;
  status: 'ok' | 'failed';
  code?: ErrorCode;
  message?: string;
  stderrTail?: string;
  /** Hash of the tags and art written (see tagging/compose.ts). */
  tagsHash?: string;
  /** Loudness values written as tags. */
  gains?: GainSet;
  /** What the worker found worth saying about this output (a cover scaled down to fit its container, a depth
   *  reduced, a damaged master). */
  warnings?: string[];
  /** Made on another machine (a queue worker): its name and its ffmpeg's version. */
  host?: string;
  ffmpegVersion?: string;
}

export interface TranscodeResult {
  id: number;
  outputs: OutputResult[];
  /** Seconds of audio decoded from the source (ffmpeg's decoded sample count / sample rate). */
  decodedSeconds?: number;
  /** Measured by the ebur128 branch. */
  loudness?: TrackLoudness;
  /** Why the master is damaged, when its outputs were made anyway (--accept-damaged). */
  damaged?: string;
  elapsedMs: number;
  cancelled: boolean;
}

/**
 * Messages on the task's MessagePort. Coordinator -> worker: cancel. Worker -> coordinator: time
 * (progress), released (ffmpeg has exited: the next job may start while this one is checked and tagged).
 */
export type PortMessage = { type: 'cancel' } | { type: 'time'; seconds: number } | { type: 'released' };

/**
 * The one ffmpeg command for a job: the source decoded once, each output written to its temp
 * name, the loudness meter on a null output when asked, then the master's sample hashes on stdout.
 * Used by the worker and dry-run alike. `only` and `measure` make a subset of it: one output run alone
 * after the shared run failed (isolate.ts); every run hashes the master, so any run that completes can judge it.
 */
export function commandSpec(job: TranscodeJob, only = job.outputs, measure = job.measureLoudness): CommandSpec {
  // file: stops ffmpeg reading a name like "http:..." or "-x.flac" as anything but a file.
  const outputs = only.map((o) => ({ target: `file:${o.temp}`, args: o.args }));
  // pipe:1, not '-': fluent-ffmpeg would take '-' for a file and add a second -y.
  if (measure) outputs.push({ target: 'pipe:1', args: ['-map', '0:a:0', '-af', meterFilter(job), '-f', 'null'] });
  for (const h of job.hashes ?? []) outputs.push({ target: 'pipe:1', args: hashOutputArgs(h) });
  const logDir = logDirBeside(only[0]?.temp);
  return { input: `file:${job.source.path}`, inputArgs: INPUT_ARGS, outputs, ...(logDir ? { logDir } : {}) };
}

/**
 * Where a run's ffmpeg log goes (see CommandSpec.logDir): beside its first output's temp, under a temp name of the
 * same stem, so every sweep of a job's temporaries (a dead run's, a dead queue worker's attempt) takes it too.
 * A run with no output to write (measuring only) reads its log from the pipe.
 */
export function logDirBeside(temp: string | undefined): string | undefined {
  return temp?.endsWith('.partial') ? temp.replace(/\.partial$/, '.log.partial') : undefined;
}

/**
 * Frame CRCs checked (ffmpeg skips them by default), and no decode-error rate stops the run: damage is
 * counted and judged by audiofan (see integrity.ts), so --accept-damaged still gets its outputs.
 */
export const INPUT_ARGS = ['-err_detect', 'crccheck', '-max_error_rate', '1'];

/** The ffmpeg output index of the first master hash in a run of `outputs` encodes (hashes follow the encodes
 *  and the loudness meter). */
export function hashBase(outputs: number, measure: boolean): number {
  return outputs + (measure ? 1 : 0);
}

function meterFilter(job: TranscodeJob): string {
  const meter = ebur128Filter(job.peak);
  return job.source.decodeFilter ? `${job.source.decodeFilter},${meter}` : meter;
}
