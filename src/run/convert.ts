/**
 * The coordinator: convertLibrary runs the stages in order, as the README's diagram draws them:
 *   prepare -> lock -> (settled? done) -> open records -> discover -> plan -> encode -> retag -> copies -> delete orphans -> record.
 * Each stage is a module of this folder; they hand each other the types in context.ts. Only usage and
 * configuration errors reject; every per-file problem is manifest data.
 */
import { LibraryRun } from './handle.js';
import { acquireLock } from '../store/lock.js';
import type { ConvertOptions } from './options.js';
import type { RunEvent, RunResult } from '../model.js';
import { discover } from './discover.js';
import { encode } from './encode.js';
import { openRecords } from './open-records.js';
import { planRun } from './plan-run.js';
import { prepare } from './prepare.js';
import { record } from './record.js';
import { removeOrphans } from './remove-orphans.js';
import { retag } from './retag.js';
import { copies } from './copies.js';
import { settledRun } from './settled.js';

export type { PlannedAction } from './actions.js';
export type { RunResult } from '../model.js';

/**
 * Convert a library. Returns a handle that is awaitable (the RunResult), an EventEmitter of
 * RunEvents and an async iterable of them. Rejects only for usage/configuration errors.
 */
export function convertLibrary(options: ConvertOptions): LibraryRun {
  return new LibraryRun((emit) => runLibrary(options, emit));
}

async function runLibrary(options: ConvertOptions, emit: (ev: RunEvent) => void): Promise<RunResult> {
  const run = await prepare(options, emit);
  const lock = run.o.dryRun ? undefined : await acquireLock(run.outDir);
  try {
    const settled = await settledRun(run, lock);
    if (settled) return settled;
    const records = await openRecords(run, lock);
    const found = await discover(run, records);
    const plan = await planRun(run, records, found);
    const results = await encode(run, records, plan);
    await retag(run, records, plan, results);
    results.copies = await copies(run, records, found, plan);
    const deletion = await removeOrphans(run, records, found, plan, results);
    return await record(run, records, found, plan, results, deletion);
  } finally {
    await run.executor?.close();
    await run.journal?.close();
    await lock?.release();
  }
}
