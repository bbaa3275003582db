/**
 * Feed planned jobs to an executor, as many at once as it has slots, and report progress.
 * Jobs are handed out one by one (not queued in the executor) so a cancel stops new work at once; which job
 * next, and whether to split it at the tail, is schedule.ts's to say; a split job's pieces are merged back
 * (pieces.ts) so the coordinator sees one result per planned job.
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
import { peakKind } from '../tagging/loudness.js';
import { Schedule } from './schedule.js';
import { mergeJobs, mergeResults, type PieceRun } from './pieces.js';
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
    peak: peakKind(truePeak),
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
  /** Called with each finished job (a split one once, its pieces merged); may return a promise (the
   *  coordinator journals and publishes outputs). */
  onJobDone: (o: JobOutcome, job: TranscodeJob) => void | Promise<void>;
}): Promise<{ outcomes: JobOutcome[]; notStarted: PlannedJob[] }> {
  const { jobs, signal, executor } = args;
  const outcomes: JobOutcome[] = [];
  // With fewer jobs than slots, the idle slots still get a lane: a job may be cut into pieces for them.
  const lanes = executor.splitTail ? executor.slots : Math.min(executor.slots, jobs.length);
  // Pieces join `sched.all` as they are cut; the tracker reads the same array.
  const pending = new Map<number, number>();
  const sched = new Schedule(jobs, lanes, executor.splitTail === true, (id, pieces) => {
    const root = sched.rootOf(id);
    pending.set(root, (pending.get(root) ?? 1) + pieces.length - 1);
    progress.split(id, pieces.length);
  });
  const progress = new ProgressTracker(sched.all, args.onProgress);
  const onAbort = () => executor.cancelAll();
  signal?.addEventListener('abort', onAbort);
  const ran = new Map<number, PieceRun[]>();
  const finishing: Promise<void>[] = [];
  // The planned job, once all its pieces are back: published once, then every piece's temporaries removed.
  const settle = async (root: number) => {
    const runs = ran.get(root)!;
    const job = jobs[root];
    const whole = runs.length === 1 && runs[0].tj.id === root;
    const tj = whole ? runs[0].tj : mergeJobs(root, job, runs);
    const outcome = { job, result: whole ? runs[0].result : mergeResults(root, job, runs) };
    try {
      await args.onJobDone(outcome, tj);
    } finally {
      // Whatever was not published (failed, or a crashed thread's leftovers) is removed now, even if
      // publishing threw.
      await removeTemps(...runs.flatMap((r) => r.tj.outputs.flatMap((o) => [o.temp, o.tagTemp])));
    }
    outcomes.push(outcome);
  };
  const runJob = async (id: number, released: () => void) => {
    const root = sched.rootOf(id);
    const piece = await runPiece(id, released);
    ran.set(root, [...(ran.get(root) ?? []), piece]);
    const left = (pending.get(root) ?? 1) - 1;
    pending.set(root, left);
    // A piece whose siblings are still running is counted now, and published with them.
    if (left === 0) await settle(root);
    progress.finished(id, piece.result.outputs);
  };
  const runPiece = async (id: number, released: () => void): Promise<PieceRun> => {
    let tj: TranscodeJob | undefined;
    try {
      tj = toTranscodeJob(id, sched.all[id], args.outDir, args.ffmpegPath, args.killGraceMs, args.tagOptions);
      progress.start(id);
      const result = await executor.run(tj, {
        onTime: (t) => {
          progress.time(id, t);
          sched.time(id, t);
        },
        onReleased: () => {
          sched.released(id);
          released();
        },
      });
      return { tj, result };
    } catch (e) {
      if (tj) await removeTemps(...tj.outputs.flatMap((o) => [o.temp, o.tagTemp]));
      throw e;
    } finally {
      // A lane waits for `released`: whatever went wrong, it must come, or the run would hang.
      sched.released(id);
      released();
    }
  };
  // A lane is an ffmpeg slot: it takes the next job as soon as the current one's ffmpeg exits.
  const lane = async (_: unknown, index: number) => {
    for (;;) {
      const id = signal?.aborted ? undefined : sched.take(index === lanes - 1);
      if (id === undefined) break;
      await new Promise<void>((released) => {
        finishing.push(runJob(id, released));
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
    await Promise.all(finishing);
    // Interrupted between pieces: what the started ones made is published; the rest are cancelled outputs.
    for (const [root, left] of pending) if (left > 0 && ran.has(root)) await settle(root);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { outcomes, notStarted: jobs.filter((_, i) => !ran.has(i)) };
}
