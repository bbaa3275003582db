/**
 * One queued job on a worker machine: the coordinator's paths mapped to this machine's, the job given temp names
 * of its own attempt (so a retried job never shares a file with a dead attempt's ffmpeg, whose leftovers are
 * removed), run on the local piscina pool with the same worker code as a local run, and the result returned.
 */
import { randomBytes } from 'node:crypto';
import { access, constants, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { removeTemps } from '../store/atomic.js';
import type { TranscodePool } from '../transcode/local-pool.js';
import type { TranscodeJob, TranscodeResult } from '../transcode/job.js';
import { lostResult, type QueueProgress, type QueueReturn } from './contract.js';
import { attemptStem, attemptTemp } from './naming.js';
import { mapPath, type PathMapping } from './path-map.js';

export interface WorkerJobContext {
  pool: TranscodePool;
  maps: readonly PathMapping[];
  ffmpeg: { path: string; version: string };
  /** This worker's name, as outputs record it. */
  host: string;
  /** A pool-unique id for the job (the coordinator's ids repeat across runs). */
  localId: number;
  /** An earlier attempt may have left temporaries (its worker died). */
  retried: boolean;
  progress: (p: QueueProgress) => void;
  /** The job was told to stop (its run cancelled, or this worker shutting down) before it started. */
  stopped: () => boolean;
  /** ffmpeg has exited: its slot may go to the next job. */
  released: () => void;
}

/** The job as this machine sees it: mapped paths, this worker's ffmpeg, this attempt's temp names. */
export function localJob(
  job: TranscodeJob,
  c: Pick<WorkerJobContext, 'maps' | 'ffmpeg' | 'localId'>,
  tag: string,
): TranscodeJob {
  const m = (p: string) => mapPath(c.maps, p);
  const cover =
    job.tags.cover?.from === 'folder' ? { ...job.tags.cover, path: m(job.tags.cover.path) } : job.tags.cover;
  return {
    ...job,
    id: c.localId,
    ffmpegPath: c.ffmpeg.path,
    source: { ...job.source, path: m(job.source.path) },
    tags: { ...job.tags, ...(cover ? { cover } : {}) },
    outputs: job.outputs.map((o) => ({
      ...o,
      final: m(o.final),
      temp: attemptTemp(m(o.temp), tag),
      tagTemp: attemptTemp(m(o.tagTemp), tag),
    })),
  };
}

/** Run one job; never throws for the job's own failures (they are results, as in a local run). */
export async function runWorkerJob(job: TranscodeJob, c: WorkerJobContext): Promise<QueueReturn> {
  const tag = `w${randomBytes(3).toString('hex')}`;
  const local = localJob(job, c, tag);
  const ret = (result: TranscodeResult): QueueReturn => ({
    result: { ...result, id: job.id },
    attempt: tag,
    host: c.host,
    ffmpegVersion: c.ffmpeg.version,
  });
  if (c.stopped()) return ret(lostResult(job, true, `${job.source.path}: cancelled`));
  if (c.retried) await sweepEarlierAttempts(local, tag);
  const unreadable = await access(local.source.path, constants.R_OK).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e.code ?? e.message,
  );
  if (unreadable) {
    const seen = local.source.path === job.source.path ? '' : ` (mapped to ${local.source.path})`;
    const r = lostResult(job, false, `${job.source.path}: worker ${c.host} cannot read it${seen}: ${unreadable}`);
    return ret({ ...r, outputs: r.outputs.map((o) => ({ ...o, code: 'E_SOURCE_UNREADABLE' })) });
  }
  let last = 0;
  let released = false;
  const result = await c.pool.run(local, {
    onTime: (seconds) => {
      // Two reports a second are plenty for a progress bar; each is a Redis write.
      if (Date.now() - last < 500) return;
      last = Date.now();
      c.progress({ time: seconds });
    },
    onReleased: () => {
      if (released) return;
      released = true;
      c.released();
      c.progress({ released: true });
    },
  });
  return ret(result);
}

/** Remove what earlier attempts at this job left (a worker SIGKILLed mid-job), before this attempt writes. */
async function sweepEarlierAttempts(local: TranscodeJob, tag: string): Promise<void> {
  const stems = local.outputs.flatMap((o) => [o.temp, o.tagTemp]).map((t) => attemptStem(t.replace(`.${tag}.`, '.')));
  for (const s of new Set(stems)) {
    const dir = dirname(s);
    const names = await readdir(dir).catch(() => [] as string[]);
    await removeTemps(...names.filter((n) => n.startsWith(basename(s))).map((n) => join(dir, n)));
  }
}
