/**
 * Encode a job's outputs: one ffmpeg run decodes the source once for all of them; when that run fails,
 * each output is run again alone, so an output ffmpeg cannot make (an encoder refusing its options or
 * the stream) fails by itself and never takes its siblings down with it. Each output's outcome is the
 * run that made it or, failing, the run in which it failed alone: its error names its own cause.
 */
import { runCommand, type RunControl, type RunOutcome } from '../ffmpeg/adapter.js';
import { DecodeReport } from '../ffmpeg/decode-report.js';
import { isDiskFull } from '../store/io-errors.js';
import { LoudnessMeter, type TrackLoudness } from '../tagging/loudness.js';
import { commandSpec, hashBase, type TranscodeJob } from './job.js';

export interface EncodeRuns {
  /** Each output's outcome, by output key. */
  byKey: Map<string, RunOutcome>;
  /** Each output's position among the outputs of the run that made it (per-output figures such as
   *  encoded sample counts are indexed by it). */
  indexByKey: Map<string, number>;
  /** The source's loudness, from a run whose meter saw the whole source (when asked for). */
  loudness?: TrackLoudness;
  /** The first run that completed: it decoded the whole master and hashed it, so the master is judged from
   *  it (its decode-error report, and where in it the master hashes start). */
  master?: { outcome: RunOutcome; report: DecodeReport; hashBase: number };
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
  let master: EncodeRuns['master'];
  const run = async (only: TranscodeJob['outputs'], measure: boolean): Promise<RunOutcome> => {
    const meter = measure ? new LoudnessMeter(job.peak) : undefined;
    const report = new DecodeReport();
    const outcome = await runCommand(job.ffmpegPath, commandSpec(job, only, measure), {
      ...control,
      onLine: (l: string) => {
        meter?.line(l);
        report.line(l);
      },
    });
    if (meter && outcome.exitCode === 0) loudness = meter.result();
    if (outcome.exitCode === 0 && !master) master = { outcome, report, hashBase: hashBase(only.length, measure) };
    return outcome;
  };
  const shared = await run(job.outputs, job.measureLoudness);
  const byKey = new Map(job.outputs.map((o) => [o.key, shared]));
  const indexByKey = new Map(job.outputs.map((o, i) => [o.key, i]));
  const alone = shared.exitCode !== 0 && !shared.cancelled && !isDiskFull(shared.stderrTail);
  if (!alone || job.outputs.length < 2) return { byKey, indexByKey, master, cancelled: shared.cancelled, loudness };
  for (const o of job.outputs) {
    if (control.signal?.aborted) return { byKey, indexByKey, master, cancelled: true, loudness };
    const outcome = await run([o], job.measureLoudness && !loudness);
    byKey.set(o.key, outcome);
    indexByKey.set(o.key, 0);
    if (outcome.cancelled) return { byKey, indexByKey, master, cancelled: true, loudness };
  }
  return { byKey, indexByKey, master, cancelled: false, loudness };
}
