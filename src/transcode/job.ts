/**
 * The contract between the coordinator and a transcode worker: plain data both ways, because
 * anything crossing a thread boundary is structured-cloned (errors lose their class and code).
 */
export { durationTolerance, truncationSlack } from '../tolerances.js';
import type { CoverRef } from '../sources/art.js';
import type { ErrorCode } from '../errors.js';
import type { CommandSpec } from '../ffmpeg/adapter.js';
import { EBUR128_FILTER, type GainSet, type TrackLoudness } from '../tagging/loudness.js';
import type { TagWriter } from '../tagging/compose.js';
import type { Id3Version } from '../tagging/id3v2.js';
import type { TagEntries } from '../tagging/vorbis-comment.js';
import type { OutputFacts } from '../model.js';

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
  tags: TagInput;
  /** How long ffmpeg gets between SIGTERM and SIGKILL when cancelled. */
  killGraceMs: number;
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
  /** What the output lacks or holds in another form (a cover scaled down to fit its container…). */
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
 * name, and the loudness meter on a null output when asked. Used by the worker and dry-run alike.
 * `only` and `measure` make a subset of it: one output run alone after the shared run failed (isolate.ts).
 */
export function commandSpec(job: TranscodeJob, only = job.outputs, measure = job.measureLoudness): CommandSpec {
  // file: stops ffmpeg reading a name like "http:..." or "-x.flac" as anything but a file.
  const outputs = only.map((o) => ({ target: `file:${o.temp}`, args: o.args }));
  // pipe:1, not '-': fluent-ffmpeg would take '-' for a file and add a second -y.
  if (measure) outputs.push({ target: 'pipe:1', args: ['-map', '0:a:0', '-af', meterFilter(job), '-f', 'null'] });
  return { input: `file:${job.source.path}`, outputs };
}

function meterFilter(job: TranscodeJob): string {
  return job.source.decodeFilter ? `${job.source.decodeFilter},${EBUR128_FILTER}` : EBUR128_FILTER;
}
