/**
 * Feed planned jobs to an executor, as many at once as it has slots, and report progress.
 * Jobs are handed out one by one (not queued in the executor) so a cancel stops new work at once.
 */
import { join } from 'node:path';
import { removeTemps, tempPathFor } from '../store/atomic.js';
import type { TranscodeJob, TranscodeResult } from './job.js';
import type { Executor } from './executor.js';
import { ProgressTracker } from './progress.js';
import { carriesArt } from '../presets/containers.js';
import { containerOf } from '../presets/presets.js';
import type { Id3Version } from '../tagging/id3v2.js';
import { planHashes } from './hash-plan.js';
import type { PlannedJob, ProgressEvent } from '../model.js';

export interface JobOutcome {
  job: PlannedJob;
  result: TranscodeResult;
}

/** Settings that shape every job's tags. */
export interface TagOptions {
  id3Version: Id3Version;
  loudness: boolean;
  /** ReplayGain peaks as true peak (--true-peak); sample peak otherwise. Not a tag: it decides the measurement. */
  truePeak?: boolean;
  artMaxSize?: number;
  /** Not a tag setting, but set per run like them: make outputs of damaged masters (--accept-damaged). */
  acceptDamaged?: boolean;
}

/** The worker-facing job for a planned job (temp names are chosen here, by the coordinator). */
export function toTranscodeJob(
  id: number,
  job: PlannedJob,
  outDir: string,
  ffmpegPath: string,
  killGraceMs: number,
  tagOptions: TagOptions,
): TranscodeJob {
  const s = job.source;
  const { acceptDamaged, truePeak, ...tagSettings } = tagOptions;
  const hp = job.kind === 'encode' ? planHashes(s, job.outputs) : undefined;
  return {
    id,
    kind: job.kind,
    ffmpegPath,
    killGraceMs,
    measureLoudness: job.measureLoudness,
    peak: truePeak ? 'true' : 'sample',
    // Decoded samples are counted at the decoder's rate (a DSD decoder's, not the master's PCM rate).
    source: {
      path: s.path,
      size: s.size,
      mtimeMs: s.mtimeMs,
      sampleRate: s.decode?.sampleRate ?? s.sampleRate,
      duration: s.duration,
      ...(s.decode ? { decodeFilter: s.decode.filter } : {}),
    },
    tags: {
      entries: s.tags,
      ...(s.cover ? { cover: s.cover } : {}),
      ...tagSettings,
      ...(job.gains ? { gains: job.gains } : {}),
    },
    outputs: job.outputs.map((o) => {
      const final = join(outDir, o.rel);
      const c = containerOf(o.preset);
      return {
        key: o.preset.id,
        final,
        temp: tempPathFor(final),
        tagTemp: tempPathFor(final),
        args: o.args,
        writer: c.tagWriter,
        art: carriesArt(c, o.preset.art),
        ...(hp?.outputs.has(o.preset.id) ? { bitExact: hp.outputs.get(o.preset.id) } : {}),
      };
    }),
    ...(hp?.hashes.length ? { hashes: hp.hashes } : {}),
    ...(hp?.streamInfo !== undefined ? { streamInfoHash: hp.streamInfo } : {}),
    ...(acceptDamaged ? { acceptDamaged } : {}),
  };
}

export async function dispatch(args: {
  jobs: PlannedJob[];
  /** Where the jobs run; the caller owns it (and closes it). */
  executor: Executor;
  outDir: string;
  ffmpegPath: string;
  killGraceMs: number;
  tagOptions: TagOptions;
  signal?: AbortSignal;
  onProgress: (p: ProgressEvent) => void;
  /** Called with each finished job; may return a promise (the coordinator journals and publishes outputs). */
  onJobDone: (o: JobOutcome, job: TranscodeJob) => void | Promise<void>;
}): Promise<{ outcomes: JobOutcome[]; notStarted: PlannedJob[] }> {
  const { jobs, signal, executor } = args;
  const outcomes: JobOutcome[] = [];
  const progress = new ProgressTracker(jobs, args.onProgress);
  const onAbort = () => executor.cancelAll();
  signal?.addEventListener('abort', onAbort);
  const queue = new TwoEnded(jobs.length);
  const finishing: Promise<void>[] = [];
  const runJob = async (id: number, released: () => void) => {
    const job = jobs[id];
    let tj: TranscodeJob | undefined;
    let outcome: JobOutcome;
    try {
      tj = toTranscodeJob(id, job, args.outDir, args.ffmpegPath, args.killGraceMs, args.tagOptions);
      progress.start(id);
      const result = await executor.run(tj, { onTime: (t) => progress.time(id, t), onReleased: released });
      outcome = { job, result };
      await args.onJobDone(outcome, tj);
    } finally {
      // A lane waits for `released`: whatever went wrong, it must come, or the run would hang.
      released();
      // Whatever was not published (failed, or a crashed thread's leftovers) is removed now, even if
      // publishing threw.
      if (tj) await removeTemps(...tj.outputs.flatMap((o) => [o.temp, o.tagTemp]));
    }
    progress.finished(id, outcome.result.outputs);
    outcomes.push(outcome);
  };
  // A lane is an ffmpeg slot: it takes the next job as soon as the current one's ffmpeg exits.
  const lanes = Math.min(executor.slots, jobs.length);
  const lane = async (_: unknown, index: number) => {
    for (;;) {
      const id = signal?.aborted ? undefined : queue.take(index === lanes - 1 ? 'short' : 'long');
      if (id === undefined) break;
      await new Promise<void>((released) => {
        finishing.push(runJob(id, released));
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
    await Promise.all(finishing);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const startedIds = new Set(outcomes.map((o) => o.job));
  return { outcomes, notStarted: jobs.filter((j) => !startedIds.has(j)) };
}

/**
 * Job ids in plan order (longest first, see plan/groupJobs), taken from both ends: every lane but one
 * takes the longest job left, the last lane the shortest. The long jobs still start early (no long
 * tail at the end), and short ones finish from the first seconds on, so the count of files done moves
 * at once instead of waiting for the longest tracks (with one lane: shortest first, same total time).
 */
export class TwoEnded {
  private front = 0;
  private back: number;
  constructor(length: number) {
    this.back = length - 1;
  }
  take(end: 'long' | 'short'): number | undefined {
    if (this.front > this.back) return undefined;
    return end === 'long' ? this.front++ : this.back--;
  }
}
