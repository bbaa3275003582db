/**
 * Stage 7, delete orphans: with --delete, after a complete run, unless the delete guard refuses.
 */
import { deleteVerdict } from '../plan/delete-guard.js';
import { deleteOrphans, orphanKey } from '../store/orphans.js';
import type { Deletion, Found, Plan, Records, Results, Run } from './context.js';

/** Stage 7: with --delete, after a complete run, delete orphans unless the guard refuses. */
export async function removeOrphans(
  run: Run,
  records: Records,
  found: Found,
  plan: Plan,
  res: Results,
): Promise<Deletion> {
  const { o } = run;
  const log = o.logger;
  const removed = new Set<string>();
  const previousRoots = records.prevManifest?.roots;
  const verdict = deleteVerdict({
    orphans: plan.orphans.length,
    outputs: records.ours.size,
    problems: found.scan.problems,
    roots: found.scan.roots,
    ...(previousRoots ? { previousRoots } : {}),
    ...(o.maxDelete ? { maxDelete: o.maxDelete } : {}),
    force: o.force,
  });
  if (o.delete && !verdict.allowed && plan.orphans.length) {
    log.warn(
      { event: 'delete', refused: true, orphans: plan.orphans.length, reason: verdict.reason },
      `nothing deleted: ${verdict.reason}`,
    );
  }
  if (!o.delete || o.dryRun || res.interrupted || !plan.orphans.length || !verdict.allowed || !records.folder)
    return { removed, verdict };
  const { deleted, left } = await deleteOrphans(records.folder, plan.orphans);
  for (const d of deleted) {
    removed.add(orphanKey(d.key, d.output));
    log.info(
      { event: 'delete', source: d.source, path: d.output.path, reason: `orphan: ${d.reason}` },
      `deleted orphan ${d.output.path}`,
    );
  }
  for (const l of left)
    log.warn(
      { event: 'delete', path: l.orphan.output.path, reason: l.why },
      `left ${l.orphan.output.path} alone: ${l.why}`,
    );
  return { removed, verdict };
}
