/**
 * Stage 6b, copies: lossy masters (--lossy copy) and extras (--extras) copied unchanged beside the outputs,
 * under the same rules as outputs: recorded in the manifest, redone when the source changes, never onto a
 * file audiofan did not make, never outside the output folder, published through the journal, and pruned
 * as orphans (behind the delete guard) when no longer wanted.
 */
import { resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import {
  decideCopy,
  extraPath,
  lossyCopyPath,
  outputFolders,
  presetsForLossy,
  type CopyItem,
} from '../plan/copy-plan.js';
import { collisionKey } from '../plan/fs-profile.js';
import { copyToTemp } from '../store/copy-file.js';
import { lstatOrUndefined } from '../store/contain.js';
import { statOrUndefined } from '../sources/scan.js';
import type { ManifestOutput, ManifestSource } from '../model.js';
import type { Orphan } from '../store/orphans.js';
import type { Probed } from '../sources/probe-all.js';
import { report, type Copies, type Found, type Plan, type Records, type Run } from './context.js';

const NO_COPIES: Copies = { outputs: new Map(), notes: new Map(), extraSources: [], changed: false };

/** The copies this run wants, from the found files and the plan. */
function wanted(
  run: Run,
  found: Found,
  plan: Plan,
  notes: Map<string, string>,
): { items: CopyItem[]; extras: Probed[] } {
  const { o, presets } = run;
  const items: CopyItem[] = [];
  const facts = (p: Probed) => {
    const st = statOrUndefined(p.file.path);
    return st
      ? {
          key: p.file.key,
          path: p.file.path,
          root: p.file.root,
          srcRel: p.file.rel,
          size: st.size,
          mtimeMs: st.mtimeMs,
        }
      : undefined;
  };
  if (o.lossy === 'copy')
    for (const p of found.notLossless) {
      const r = p.result;
      if (r.kind !== 'skipped' || r.code !== 'E_SOURCE_LOSSY' || !r.audio) continue;
      const f = facts(p);
      if (!f) continue;
      const into = presetsForLossy(r.audio.codec, presets);
      if (!into.length)
        notes.set(
          p.file.key,
          `${p.file.path}: ${r.audio.codec} is lossy audio, and no chosen preset (${presets.map((x) => x.id).join(', ')}) ` +
            'holds it unchanged (--lossy copy copies mp3 into mp3 presets, opus into opus presets…); skipped',
        );
      for (const preset of into)
        items.push({ kind: 'lossy', ...f, preset, rel: lossyCopyPath(p.file.rel, preset, o.fsProfile, o.flat) });
    }
  const match = o.extras.length ? picomatch(o.extras, { dot: true, basename: true }) : undefined;
  const extras = match
    ? found.probed.filter((p) => p.result.kind === 'ignored' && match(p.file.rel.split(sep).join('/')))
    : [];
  const folders = outputFolders(plan.plans);
  for (const p of extras) {
    const f = facts(p);
    if (!f) continue;
    for (const preset of presets)
      items.push({
        kind: 'extra',
        ...f,
        preset,
        rel: extraPath(p.file.key, p.file.rel, preset, folders, o.fsProfile, o.flat),
      });
  }
  return { items, extras };
}

/** Stage 6b: make or keep every wanted copy; copies no longer wanted become orphans (plan.orphans). */
export async function copies(run: Run, records: Records, found: Found, plan: Plan): Promise<Copies> {
  const { o } = run;
  if (o.lossy !== 'copy' && !o.extras.length && !hadCopies(records)) return NO_COPIES;
  const result: Copies = { outputs: new Map(), notes: new Map(), extraSources: [], changed: false };
  const { items, extras } = wanted(run, found, plan, result.notes);
  // Output paths already taken by this run's outputs (and by earlier copies in this loop).
  const claimed = new Set(plan.plans.flatMap((p) => p.outputs.map((x) => collisionKey(x.rel, o.fsProfile))));
  for (const item of items) {
    const entry = await copyOne(run, records, item, claimed);
    if (entry.action === 'copied') result.changed = true;
    if (entry.action === 'copied' || entry.status === 'failed') report(run, item.path, entry);
    result.outputs.set(item.key, [...(result.outputs.get(item.key) ?? []), entry]);
  }
  // Extras (and files that were extras) get their own source entries, so their copies stay on record.
  const present = new Map(found.probed.map((p) => [p.file.key, p]));
  const extraKeys = new Set([
    ...extras.map((p) => p.file.key),
    ...[...records.previous]
      .filter(([k, s]) => present.get(k)?.result.kind === 'ignored' && s.outputs.length)
      .map(([k]) => k),
  ]);
  for (const key of extraKeys) {
    const p = present.get(key)!;
    const st = statOrUndefined(p.file.path);
    result.extraSources.push({
      key,
      entry: {
        path: p.file.path,
        root: p.file.root,
        rel: p.file.rel,
        ...(st ? { size: st.size, mtimeMs: st.mtimeMs } : {}),
        status: 'ok',
        outputs: result.outputs.get(key) ?? [],
      },
    });
  }
  // Copies made before that this run no longer wants, of sources still here: orphans, like a dropped preset's.
  const now = new Set(items.map((i) => `${i.key}\0${i.preset.id}\0${i.rel}`));
  const planned = new Set(plan.plans.map((p) => p.source.key));
  for (const [key, prev] of records.previous) {
    // Gone sources are findOrphans' already; a lossless source that failed to read keeps its outputs.
    if (!present.has(key) || planned.has(key) || !isCopySource(present.get(key)!)) continue;
    for (const x of prev.outputs) {
      if (x.size === undefined || x.mtimeMs === undefined || now.has(`${key}\0${x.preset}\0${x.path}`)) continue;
      const orphan: Orphan = { source: prev.path, key, output: x, reason: 'copy no longer wanted (--lossy, --extras)' };
      plan.orphans.push(orphan);
      result.changed = true;
    }
  }
  return result;
}

/** Whether the records hold any copy (a run without --lossy copy or --extras must still prune them). */
function hadCopies(records: Records): boolean {
  for (const s of records.previous.values())
    if ((s.code === 'E_SOURCE_LOSSY' || s.sampleRate === undefined) && s.outputs.some((x) => x.size !== undefined))
      return true;
  return false;
}

/** A file whose outputs can only be copies: a lossy master or a non-audio file. */
function isCopySource(p: Probed): boolean {
  return p.result.kind === 'ignored' || (p.result.kind === 'skipped' && p.result.code === 'E_SOURCE_LOSSY');
}

/** One copy: kept, made (published through the journal), or refused/failed with the reason, as data. */
async function copyOne(run: Run, records: Records, item: CopyItem, claimed: Set<string>): Promise<ManifestOutput> {
  const { o } = run;
  const prevSource = records.previous.get(item.key);
  const prev = prevSource?.outputs.find((x) => x.preset === item.preset.id && x.path === item.rel);
  const st = statOrUndefined(resolve(run.outDir, item.rel));
  const onDisk = st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  const decision = decideCopy(item, prevSource, prev, onDisk, o.force);
  const what = item.kind === 'lossy' ? 'lossy master copied unchanged' : 'extra file copied';
  const base: ManifestOutput = {
    preset: item.preset.id,
    presetHash: item.preset.hash,
    path: item.rel,
    status: 'ok',
    action: 'copied',
    reason: `${what}: ${decision.reason}`,
    ffmpegVersion: run.ffmpeg.version,
  };
  const fail = (code: ManifestOutput['code'], message: string): ManifestOutput => ({
    ...base,
    status: 'failed',
    action: 'none',
    code,
    message,
    // A failed redo leaves the old copy, still ours, in place.
    ...(prev?.size !== undefined && onDisk ? { size: prev.size, mtimeMs: prev.mtimeMs } : {}),
  });
  const ck = collisionKey(item.rel, o.fsProfile);
  if (claimed.has(ck))
    return fail(
      'E_OUTPUT_COLLISION',
      `${item.rel}: this path is already another output's this run; nothing was copied`,
    );
  claimed.add(ck);
  if (decision.action === 'keep' && prev) return { ...prev, action: 'kept', reason: `${what}: up to date` };
  // Interrupted: nothing more is copied; a copy made before stays on record, still ours.
  if (o.signal?.aborted)
    return prev?.size !== undefined && onDisk
      ? { ...prev, action: 'kept', reason: `not done (run interrupted); was to copy: ${decision.reason}` }
      : { ...base, status: 'skipped', action: 'none', reason: 'not done (run interrupted)' };
  if (o.dryRun)
    return { ...base, status: 'skipped', action: 'none', reason: `dry run: would copy (${decision.reason})` };
  if (!records.folder) return fail('E_OUTPUT_WRITE', `${item.rel}: the output folder is not there`);
  // Never onto a file audiofan did not make (unless --force).
  const there = lstatOrUndefined(resolve(records.folder.path, item.rel));
  if (there && !o.force && !records.ours.has(item.rel))
    return fail(
      'E_OUTPUT_COLLISION',
      `${item.rel}: a ${there.isFile() ? 'file' : 'folder or link'} audiofan did not make is already there; ` +
        'it was left alone (--force replaces it)',
    );
  const copied = await copyToTemp(records.folder, item.path, item.rel);
  if (!copied.ok) return fail(copied.code, copied.message);
  const made = statOrUndefined(copied.temp);
  const entry: ManifestOutput = { ...base, size: copied.size, ...(made ? { mtimeMs: made.mtimeMs } : {}) };
  // The journal line carries the source's root and rel, so a killed run's copies fold back under its key.
  const source: Omit<ManifestSource, 'outputs'> = {
    path: item.path,
    root: item.root,
    rel: item.srcRel,
    size: item.size,
    mtimeMs: item.mtimeMs,
    ...(item.kind === 'lossy' ? { status: 'skipped', code: 'E_SOURCE_LOSSY' } : { status: 'ok' }),
  };
  try {
    if (run.journal) await run.journal.publish({ source, output: entry }, copied.temp, copied.final);
    return entry;
  } catch (e) {
    return fail('E_OUTPUT_WRITE', `${copied.final}: cannot move the copy into place: ${(e as Error).message}`);
  }
}
