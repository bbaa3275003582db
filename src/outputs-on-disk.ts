/**
 * What the output folder holds now, as far as planning needs: the state of outputs the manifest
 * knows, and files standing where a new output would go.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ManifestSource } from './manifest.js';
import type { OutputState, SourcePlan } from './plan.js';

/** Stat the outputs the previous manifest knows, keyed by path relative to the output folder. */
export async function statOutputs(outDir: string, previous: Map<string, ManifestSource>, presetIds: string[]): Promise<Map<string, OutputState>> {
  const map = new Map<string, OutputState>();
  for (const s of previous.values()) {
    for (const x of s.outputs) {
      if (x.status !== 'ok' || !presetIds.includes(x.preset)) continue;
      // Synchronous, like the source walk: tens of thousands of stats are the whole of a no-op run.
      try {
        const st = statSync(resolve(outDir, x.path));
        if (st.isFile()) map.set(x.path, { size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // missing: the plan says "output missing"
      }
    }
  }
  return map;
}

/**
 * A new output whose path is already taken by a file the manifest does not know was not made by
 * audiofan (or its record was lost): it is never overwritten. --force overrides.
 */
export async function refuseForeignFiles(plans: SourcePlan[], outDir: string): Promise<void> {
  await Promise.all(plans.flatMap((p) => p.outputs.filter((o) => o.decision.reason === 'new' && !o.collision).map(async (o) => {
    if (await stat(resolve(outDir, o.rel)).then(() => true, () => false)) {
      o.collision = { code: 'E_OUTPUT_COLLISION', message: `${o.rel}: a file audiofan did not make is already there; it was left alone (--force replaces it)` };
    }
  })));
}
