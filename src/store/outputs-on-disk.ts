/**
 * What the output folder holds now, as far as planning needs: the state of outputs the manifest
 * knows, and files standing where an output would go. A file is ours only when the manifest records
 * audiofan making it; anything else at an output path is never replaced without --force.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { lstatOrUndefined, type OutputFolder } from './contain.js';
import { durationTolerance } from '../tolerances.js';
import { containerOf } from '../presets/presets.js';
import { readAudioMetadata } from '../sources/read-metadata.js';
import type { ManifestOutput, ManifestSource, OutputState, PlannedOutput, SourcePlan } from '../model.js';

/** Stat the outputs the previous manifest knows, keyed by path relative to the output folder. */
export function statOutputs(
  outDir: string,
  previous: Map<string, ManifestSource>,
  presetIds: string[],
): Map<string, OutputState> {
  const map = new Map<string, OutputState>();
  for (const s of previous.values()) {
    for (const x of s.outputs) {
      if ((x.status !== 'ok' && x.status !== 'orphan') || !presetIds.includes(x.preset)) continue;
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
 * Paths (relative to the output folder) of files the manifest records audiofan making. An output whose
 * re-encode failed keeps its size and mtime on record (the old file is still there and still ours).
 */
export function madeByUs(previous: Map<string, ManifestSource>): Set<string> {
  const out = new Set<string>();
  for (const s of previous.values())
    for (const x of s.outputs) if (x.size !== undefined && x.mtimeMs !== undefined) out.add(x.path);
  return out;
}

const ADOPT_MISMATCH = 'its audio does not match the source; ';
const ADOPT_HINT = '`audiofan adopt` records it if its audio matches, ';

export interface PathCheck {
  folder: OutputFolder;
  /** From madeByUs(). */
  ours: Set<string>;
  /** Replace files audiofan did not make. */
  force: boolean;
  /** Record a file found at an output path as ours when its audio matches the source (audiofan adopt). */
  adopt: boolean;
  ffmpegVersion: string;
}

/**
 * Every output about to be written is checked where it will land: through no symbolic link out of the
 * output folder, and onto no file audiofan did not make (unless forced, or adopted).
 */
export async function checkOutputPaths(plans: SourcePlan[], c: PathCheck): Promise<void> {
  const work: Promise<void>[] = [];
  for (const p of plans) {
    for (const o of p.outputs) {
      if (o.decision.action !== 'encode' || o.collision) continue;
      const outside = c.folder.outside(o.rel);
      if (outside) {
        o.collision = { code: 'E_OUTPUT_PATH_UNSAFE', message: `${o.rel}: not written: ${outside}` };
        continue;
      }
      if (c.force || c.ours.has(o.rel)) continue;
      const st = lstatOrUndefined(resolve(c.folder.path, o.rel));
      if (!st) continue;
      const refuse = () => {
        o.collision = {
          code: 'E_OUTPUT_COLLISION',
          message:
            `${o.rel}: a ${st.isFile() ? 'file' : 'folder or link'} audiofan did not make ` +
            `is already there; it was left alone (${c.adopt ? ADOPT_MISMATCH : ADOPT_HINT}--force replaces it)`,
        };
      };
      if (!c.adopt || !st.isFile()) refuse();
      else
        work.push(
          adopt(p, o, c).then((ok) => {
            if (!ok) refuse();
          }),
        );
    }
  }
  await Promise.all(work);
}

/** Adopt the file at an output path when it is this preset's codec and lasts as long as the source. */
async function adopt(p: SourcePlan, o: PlannedOutput, c: PathCheck): Promise<boolean> {
  const file = resolve(c.folder.path, o.rel);
  const meta = await readAudioMetadata(file, { skipCovers: true }).catch(() => undefined);
  const f = meta?.format;
  const want = p.source.duration;
  if (
    !f?.codec ||
    !containerOf(o.preset).codecPattern.test(f.codec) ||
    f.duration === undefined ||
    want === undefined ||
    Math.abs(f.duration - want) > durationTolerance(want)
  )
    return false;
  const st = statSync(file);
  const reason = 'adopted: an existing file whose codec and length match the source';
  const record: ManifestOutput = {
    preset: o.preset.id,
    presetHash: o.preset.hash,
    path: o.rel,
    status: 'ok',
    action: 'kept',
    reason,
    ffmpegVersion: c.ffmpegVersion,
    size: st.size,
    mtimeMs: st.mtimeMs,
    duration: f.duration,
    ...(f.bitrate ? { bitrate: Math.round(f.bitrate) } : {}),
    codec: f.codec,
    ...(f.sampleRate ? { sampleRate: f.sampleRate } : {}),
    ...(f.numberOfChannels ? { channels: f.numberOfChannels } : {}),
    // Unknown tags: the tag stage rewrites them to what audiofan would write.
    tagsHash: '',
  };
  o.decision = { action: 'keep', reason };
  o.adopted = record;
  return true;
}
