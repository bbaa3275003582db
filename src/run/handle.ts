/**
 * The handle convertLibrary returns: await it for the result, listen to it for events,
 * or iterate it (`for await (const ev of run)`). Events are kept from the start, so an
 * iterator created late still sees every event.
 */
import { EventEmitter } from 'node:events';
import type { RunEvent, RunResult } from '../model.js';
export type { ActiveJob, ProgressEvent, RunEvent } from '../model.js';

export class LibraryRun extends EventEmitter implements PromiseLike<RunResult>, AsyncIterable<RunEvent> {
  private readonly history: RunEvent[] = [];
  private finished = false;
  private readonly waiters = new Set<() => void>();
  /** Settles with the run's result; rejects only for usage/configuration errors (exit 2). */
  readonly result: Promise<RunResult>;

  constructor(body: (emit: (ev: RunEvent) => void) => Promise<RunResult>) {
    super();
    // Started on the next turn, so listeners attached right after convertLibrary() see every event.
    this.result = new Promise<void>((r) => setImmediate(r)).then(() => body((ev) => this.push(ev)));
    const end = () => {
      this.finished = true;
      this.wake();
    };
    this.result.then(end, end);
  }

  private push(ev: RunEvent): void {
    this.history.push(ev);
    this.emit(ev.type, ev);
    this.emit('event', ev);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  then<A = RunResult, B = never>(
    ok?: ((v: RunResult) => A | PromiseLike<A>) | null,
    no?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(ok, no);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    let i = 0;
    for (;;) {
      while (i < this.history.length) yield this.history[i++];
      if (this.finished) {
        await this.result; // rethrow a configuration error to the iterating caller
        return;
      }
      await new Promise<void>((r) => this.waiters.add(r));
    }
  }
}
