/**
 * Encode a job's outputs: one ffmpeg run decodes the source once for all of them; when that run fails,
 * each output is run again alone, so an output ffmpeg cannot make (an encoder refusing its options or
 * the stream) fails by itself and never takes its siblings down with it. Each output's outcome is the
 * run that made it or, failing, the run in which it failed alone: its error names its own cause.
 */
import { runCommand, type RunControl, type RunOutcome } from '../ffmpeg/adapter.js';
import { isDiskFull } from '../store/io-errors.js';
import { LoudnessMeter, type TrackLoudness } from '../tagging/loudness.js';
import { commandSpec, type TranscodeJob } from './job.js';

export interface EncodeRuns {
  /** Each output's outcome, by output key. */
  byKey: Map<string, RunOutcome>;
  /** The source's loudness, from a run whose meter saw the whole source (when asked for). */
  loudness?: TrackLoudness;
  /** Some run was cancelled: the job stops. */
  cancelled: boolean;
}

/** RunControl without onLine: the loudness meter's line reader is this module's to attach. */
export type EncodeControl = Omit<RunControl, 'onLine'>;

/**
 * Run the shared command; after a failure, each output alone (the loudness meter rides along until a run
 * completes it). A cancelled run or a full disk is not retried: neither is one output's fault.
 */
export async function encodeIsolated(job: TranscodeJob, control: EncodeControl): Promise<EncodeRuns> {
  let loudness: TrackLoudness | undefined;
  const run = async (only: TranscodeJob['outputs'], measure: boolean): Promise<RunOutcome> => {
    const meter = measure ? new LoudnessMeter() : undefined;
    const outcome = await runCommand(job.ffmpegPath, commandSpec(job, only, measure), {
      ...control,
      ...(meter ? { onLine: (l: string) => meter.line(l) } : {}),
    });
    if (meter && outcome.exitCode === 0) loudness = meter.result();
    return outcome;
  };
  const shared = await run(job.outputs, job.measureLoudness);
  const byKey = new Map(job.outputs.map((o) => [o.key, shared]));
  const alone = shared.exitCode !== 0 && !shared.cancelled && !isDiskFull(shared.stderrTail);
  if (!alone || job.outputs.length < 2) return { byKey, cancelled: shared.cancelled, loudness };
  for (const o of job.outputs) {
    if (control.signal?.aborted) return { byKey, cancelled: true, loudness };
    const outcome = await run([o], job.measureLoudness && !loudness);
    byKey.set(o.key, outcome);
    if (outcome.cancelled) return { byKey, cancelled: true, loudness };
  }
  return { byKey, cancelled: false, loudness };
}
