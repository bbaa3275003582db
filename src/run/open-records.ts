/**
 * Stage 2, open records: the previous manifest and an interrupted run's journal, by source key;
 * temporaries of a dead run swept; this run's journal opened.
 */
import { resolve } from 'node:path';
import { sweepStaleTemps } from '../store/atomic.js';
import { OutputFolder } from '../store/contain.js';
import { foldJournal, Journal } from '../store/journal.js';
import type { Lock } from '../store/lock.js';
import { readManifest } from '../store/manifest.js';
import { recordedKey, rootMatcher } from '../sources/source-key.js';
import { isDirectory, type Records, type Run } from './context.js';
import { madeByUs } from '../store/outputs-on-disk.js';

/** Stage 2: read the manifest and journal; sweep temporaries of a dead run; open this run's journal. */
export async function openRecords(run: Run, lock: Lock | undefined): Promise<Records> {
  const { o, outDir } = run;
  const log = o.logger;
  if (lock?.tookOver)
    log.warn(
      { event: 'lock', staleLock: lock.tookOver },
      `took over the lock of a run that is gone (pid ${lock.tookOver.pid}: ${lock.tookOver.reason})`,
    );
  const prevRead = await readManifest(outDir);
  if (prevRead.warning) log.warn({ event: 'manifest', warning: prevRead.warning }, prevRead.warning);
  const prevManifest = prevRead.manifest;
  const current = o.sources.map((s) => resolve(s));
  const prevRoots =
    prevManifest?.roots?.map((r) => r.path) ?? (prevManifest?.options.sources as string[] | undefined) ?? [];
  const match = rootMatcher(current, prevRoots);
  const previous = new Map((prevManifest?.sources ?? []).map((s) => [recordedKey(match, s), s]));
  const ignored = new Map((prevManifest?.ignored ?? []).map((x) => [recordedKey(match, x), x]));
  const folded = await foldJournal(outDir, previous, (s) => recordedKey(match, s));
  if (folded)
    log.info(
      { event: 'journal', entries: folded },
      `recovered ${folded} finished output(s) from an interrupted run's journal`,
    );
  // Temporaries outlive only a run that died (SIGKILL, power loss), and such a run leaves its lock or
  // its journal behind: only then is the whole output tree walked for them.
  const sweptTemps = o.dryRun || !(lock?.tookOver || folded) ? [] : await sweepStaleTemps(outDir);
  if (sweptTemps.length)
    log.info({ event: 'sweep', removed: sweptTemps }, `removed ${sweptTemps.length} stale temporary file(s)`);
  run.journal = o.dryRun ? undefined : await Journal.open(outDir);
  const folder = isDirectory(outDir) ? new OutputFolder(outDir) : undefined;
  const ours = madeByUs(previous);
  return {
    previous,
    ignored,
    ...(prevManifest ? { prevManifest } : {}),
    folded,
    sweptTemps,
    ...(folder ? { folder } : {}),
    ours,
  };
}
