/**
 * The contract between the coordinator and a transcode worker: plain data both ways, because
 * anything crossing a thread boundary is structured-cloned (errors lose their class and code).
 */
import type { ErrorCode } from './errors.js';
import type { CommandSpec } from './ffmpeg.js';

export interface TranscodeJob {
  id: number;
  ffmpegPath: string;
  source: { path: string; size: number; mtimeMs: number; sampleRate: number; duration?: number };
  outputs: { key: string; final: string; temp: string; args: string[] }[];
  /** How long ffmpeg gets between SIGTERM and SIGKILL when cancelled. */
  killGraceMs: number;
}

export interface OutputResult {
  key: string;
  status: 'ok' | 'failed';
  code?: ErrorCode;
  message?: string;
  stderrTail?: string;
  size?: number;
  mtimeMs?: number;
  duration?: number;
  bitrate?: number;
  codec?: string;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
}

export interface TranscodeResult {
  id: number;
  outputs: OutputResult[];
  /** Seconds of audio decoded from the source (ffmpeg's decoded sample count / sample rate). */
  decodedSeconds?: number;
  elapsedMs: number;
  cancelled: boolean;
}

/** Messages on the task's MessagePort. Coordinator -> worker: cancel. Worker -> coordinator: time. */
export type PortMessage = { type: 'cancel' } | { type: 'time'; seconds: number };

/** How far an output's duration may differ from the decoded audio (encoder delay and padding). */
export function durationTolerance(seconds: number): number {
  return 0.15 + seconds * 0.002;
}

/** A source is truncated when it decodes to this much less than its header promises. */
export function truncationSlack(seconds: number): number {
  return Math.max(0.5, seconds * 0.02);
}

/**
 * The one ffmpeg command for a job: the source decoded once, each output written to its temp
 * name. Used by the worker and by dry-run alike.
 */
export function commandSpec(job: TranscodeJob): CommandSpec {
  // file: stops ffmpeg reading a name like "http:..." or "-x.flac" as anything but a file.
  return {
    input: `file:${job.source.path}`,
    outputs: job.outputs.map((o) => ({ target: `file:${o.temp}`, args: o.args })),
  };
}
