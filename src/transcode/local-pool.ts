/**
 * The worker pool.
 *
 *   main thread (coordinator)            worker thread (workers/transcode.js)     child process
 *   ─────────────────────────            ────────────────────────────────────     ─────────────
 *   run(job) ── piscina task {job,port} ─▶ runCommand ─ spawn ─────────────────▶ ffmpeg -i src
 *            ◀─ port: {time}  ─────────── stderr "time=" ◀──────────────────────  out1 out2 null
 *            ◀─ port: {released} ──────── ffmpeg exited; now checking and tagging outputs
 *   cancel() ── port: {cancel} ─────────▶ SIGTERM, then SIGKILL ──────────────▶ (exits)
 *            ◀─ resolved TranscodeResult (never a thrown error)
 *
 * A job "releases" its slot when ffmpeg exits, so the next encode starts while it is still being
 * checked and tagged: at most `threads` ffmpeg processes run, on up to twice as many threads.
 *
 * Cancellation is cooperative: aborting a piscina task would terminate the thread and leave
 * its ffmpeg child running, so the worker is asked to stop and kills ffmpeg itself.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Executor, ExecutorFactory, JobEvents } from './executor.js';
import type { PortMessage, TranscodeJob, TranscodeResult } from './job.js';
import { transcodeWorkerPath } from '../paths.js';

/** The default executor: worker threads on this machine. */
export const localPool: ExecutorFactory = (slots) => new TranscodePool(slots);

export class TranscodePool implements Executor {
  private readonly piscina: Piscina;
  private readonly running = new Map<number, MessageChannel['port1']>();
  /** Each slot is a core here: an idle one is worth an extra decode of a master at the end of a run. */
  readonly splitTail = true;

  /** `threads`: how many ffmpeg processes run at once. */
  constructor(readonly slots: number) {
    const threads = slots;
    this.piscina = new Piscina({
      filename: transcodeWorkerPath,
      minThreads: threads,
      maxThreads: threads * 2,
      concurrentTasksPerWorker: 1,
      // Jobs are fed by the coordinator as slots free up; nothing waits long in piscina's queue.
      maxQueue: threads * 2,
      idleTimeout: 30_000,
    });
  }

  /**
   * Run one job; resolves with the worker's result, or a crash description if the thread died.
   * `onReleased` is called once, when ffmpeg has exited (or the job ended without one).
   */
  async run(job: TranscodeJob, { onTime, onReleased }: JobEvents): Promise<TranscodeResult> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: PortMessage) => {
      if (m.type === 'time') onTime(m.seconds);
      else if (m.type === 'released') onReleased();
    });
    this.running.set(job.id, port1);
    try {
      return (await this.piscina.run({ job, port: port2 }, { transferList: [port2] })) as TranscodeResult;
    } catch (e) {
      return {
        id: job.id,
        elapsedMs: 0,
        cancelled: false,
        outputs: job.outputs.map((o) => ({
          key: o.key,
          status: 'failed',
          code: 'E_WORKER_CRASHED',
          message: `${job.source.path}: worker thread failed: ${(e as Error).message}`,
        })),
      };
    } finally {
      this.running.delete(job.id);
      port1.close();
      onReleased();
    }
  }

  /** Ask one running job to stop (nobody waits for it any more, or a queue worker drops one run's jobs);
   *  it resolves soon after as cancelled. */
  cancel(id: number): void {
    this.running.get(id)?.postMessage({ type: 'cancel' } satisfies PortMessage);
  }

  /** Ask every running job to stop; each resolves soon after as cancelled. */
  cancelAll(): void {
    for (const id of this.running.keys()) this.cancel(id);
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
