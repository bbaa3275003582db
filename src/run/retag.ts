/**
 * Stage 6, retag: with every track's loudness known, settle album gains and rewrite the tags of outputs
 * whose tags or art differ (audio untouched).
 */
import { dispatch } from '../transcode/dispatch.js';
import { mergeRetag, outputEntry } from '../store/manifest-entries.js';
import { gainsBySource, planRetags } from '../plan/reconcile.js';
import { outputKey } from '../sources/source-key.js';
import { jobSettings, type Plan, type Records, type Results, type Run } from './context.js';
import { publish } from './encode.js';
import { selectedAgain } from './entries.js';

/** Stage 6: with every track's loudness known, settle album gains and retag outputs whose tags differ. */
export async function retag(run: Run, records: Records, plan: Plan, res: Results): Promise<void> {
  const { o, info } = run;
  const gains =
    plan.jobs.length && !o.dryRun
      ? gainsBySource(
          plan.plans.map((p) => p.source),
          plan.loudness,
        )
      : plan.provisional;
  res.retagJobs = planRetags(plan.plans, gains, plan.tagSettings, (s, po) => {
    const r = res.encoded.get(outputKey(s.key, po.preset.id));
    if (r) return r.status === 'ok' ? (r.tagsHash ?? '') : undefined;
    if (po.decision.action !== 'keep') return undefined;
    return (po.adopted ?? po.previous)?.tagsHash ?? '';
  });
  // A kept output's folder may have been swapped for a link out of the output folder since it was made.
  for (const j of res.retagJobs) {
    j.outputs = j.outputs.filter((po) => {
      const outside = records.folder?.outside(po.rel);
      if (outside)
        res.retagged.set(outputKey(j.source.key, po.preset.id), {
          key: po.preset.id,
          status: 'failed',
          code: 'E_OUTPUT_PATH_UNSAFE',
          message: `${po.rel}: not retagged: ${outside}`,
        });
      return !outside;
    });
  }
  res.retagJobs = res.retagJobs.filter((j) => j.outputs.length > 0);
  if (o.dryRun || res.interrupted || !res.retagJobs.length) return;
  const d = await dispatch({
    ...jobSettings(run, plan),
    jobs: res.retagJobs,
    onJobDone: async ({ job, result }, tj) => {
      for (const r of result.outputs) {
        const po = job.outputs.find((x) => x.preset.id === r.key)!;
        const k = outputKey(job.source.key, r.key);
        const enc = res.encoded.get(k);
        const base = enc
          ? outputEntry(po, info.version, undefined, enc)
          : { ...selectedAgain((po.adopted ?? po.previous)!), action: 'kept' as const, reason: po.decision.reason };
        const after =
          r.status === 'ok'
            ? await publish(
                run,
                records,
                plan,
                res,
                job.source,
                mergeRetag(base, r),
                tj.outputs.find((x) => x.key === r.key)!,
              )
            : undefined;
        res.retagged.set(
          k,
          after?.status === 'failed' ? { key: r.key, status: 'failed', code: after.code, message: after.message } : r,
        );
      }
    },
  });
  res.interrupted = !!o.signal?.aborted || d.notStarted.length > 0;
}
