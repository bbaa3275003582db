/**
 * The run's plan as a flat list: what happens (or, in a dry run, would happen) to every output
 * and every source that is not converted, with the reason. Printed by `--dry-run --json`.
 */
import type { Orphan } from '../store/orphans.js';
import type { PlannedAction, PlannedJob, SourcePlan } from '../model.js';
import { outputKey } from '../sources/source-key.js';
export type { PlannedAction } from '../model.js';

/** The groups of a plan, in the order they are shown: what is done first, then what is left as it is. */
export const ACTION_ORDER: PlannedAction['action'][] = ['encode', 'retag', 'delete', 'orphan', 'keep', 'skip', 'fail'];

/** How many actions of each kind (every kind present, zero or not). */
export function planTotals(actions: PlannedAction[]): Record<PlannedAction['action'], number> {
  const t = Object.fromEntries(ACTION_ORDER.map((a) => [a, 0])) as Record<PlannedAction['action'], number>;
  for (const a of actions) t[a.action]++;
  return t;
}

/** The run's plan, output by output. */
export function actionList(
  plans: SourcePlan[],
  retags: PlannedJob[],
  orphans: Orphan[],
  deleting: boolean,
  bad: { path: string; kind: 'skipped' | 'failed'; code: string; message: string }[],
): PlannedAction[] {
  const retag = new Set(retags.flatMap((j) => j.outputs.map((o) => outputKey(j.source.key, o.preset.id))));
  const out: PlannedAction[] = [];
  for (const p of plans) {
    for (const o of p.outputs) {
      const base = { source: p.source.path, preset: o.preset.id, path: o.rel };
      if (o.collision) out.push({ ...base, action: 'fail', reason: o.collision.message });
      else if (o.decision.action === 'encode') out.push({ ...base, action: 'encode', reason: o.decision.reason });
      else if (retag.has(outputKey(p.source.key, o.preset.id)))
        out.push({ ...base, action: 'retag', reason: 'tags or art changed' });
      else out.push({ ...base, action: 'keep', reason: o.decision.reason });
    }
  }
  for (const x of orphans)
    out.push({
      action: deleting ? 'delete' : 'orphan',
      source: x.source,
      preset: x.output.preset,
      path: x.output.path,
      reason: x.reason,
    });
  for (const b of bad)
    out.push({ action: b.kind === 'skipped' ? 'skip' : 'fail', source: b.path, reason: `${b.code}: ${b.message}` });
  return out;
}
