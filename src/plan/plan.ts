/**
 * The transcode decision and the job list. Pure functions of their inputs (no I/O), so every
 * rule is a row in a test table.
 */
import { resolve, sep } from 'node:path';
import { collisionKey } from './fs-profile.js';
import type { Preset } from '../presets/presets.js';
import { outputRecipe, type RecipeContext } from './recipe.js';
import { siblingSuffixes } from './siblings.js';
import { outputRelPath, type Naming } from './output-path.js';
export { outputRelPath, type Naming } from './output-path.js';
import { outputKey } from '../sources/source-key.js';
import type {
  Decision,
  ManifestOutput,
  ManifestSource,
  OutputState,
  PlannedJob,
  PlannedOutput,
  PlannedSource,
  SourcePlan,
} from '../model.js';
export type { PlannedSource, Decision, OutputState, PlannedOutput, SourcePlan, PlannedJob } from '../model.js';

/**
 * Should this output be (re)made? The first matching rule wins:
 *  1. forced                      -> encode "forced"
 *  2. no record of it             -> encode "new"
 *  3. source size or mtime differ,
 *     and its audio fingerprint too -> encode "source audio changed" (same audio: tags only, see reconcile)
 *  4. preset definition differs   -> encode "preset changed"
 *  5. ffmpeg version differs, and
 *     reencodeOnEncoderChange     -> encode "encoder version changed" (without it: noted, see encoderChanged)
 *  6. last attempt did not succeed-> encode "previous attempt failed"
 *  7. output file missing         -> encode "output missing"
 *  8. output size or mtime differ -> encode "output modified"
 *  9. otherwise                   -> keep "up to date"
 */
export function decide(input: {
  force?: boolean;
  source: { size: number; mtimeMs: number; fingerprint?: string };
  prevSource?: Pick<ManifestSource, 'size' | 'mtimeMs' | 'fingerprint'>;
  prevOutput?: ManifestOutput;
  presetHash: string;
  ffmpegVersion: string;
  /** Re-encode outputs made by another ffmpeg version. Default false: a security update must not redo a library. */
  reencodeOnEncoderChange?: boolean;
  onDisk?: OutputState;
}): Decision {
  const { prevSource: ps, prevOutput: po, onDisk } = input;
  if (input.force) return { action: 'encode', reason: 'forced' };
  if (!ps || !po) return { action: 'encode', reason: 'new' };
  const touched = ps.size !== input.source.size || ps.mtimeMs !== input.source.mtimeMs;
  const sameAudio = ps.fingerprint !== undefined && ps.fingerprint === input.source.fingerprint;
  if (touched && !sameAudio) return { action: 'encode', reason: 'source audio changed' };
  if (po.presetHash !== input.presetHash) return { action: 'encode', reason: 'preset changed' };
  if (po.ffmpegVersion !== input.ffmpegVersion && input.reencodeOnEncoderChange)
    return { action: 'encode', reason: 'encoder version changed' };
  // An orphan is a made file left in place (its preset dropped, say): selected again, it is as good as ok.
  if (po.status !== 'ok' && po.status !== 'orphan') return { action: 'encode', reason: 'previous attempt failed' };
  if (!onDisk) return { action: 'encode', reason: 'output missing' };
  if (onDisk.size !== po.size || onDisk.mtimeMs !== po.mtimeMs) return { action: 'encode', reason: 'output modified' };
  return { action: 'keep', reason: 'up to date' };
}

export function planSources(args: {
  sources: PlannedSource[];
  presets: Preset[];
  ctx: RecipeContext;
  ffmpegVersion: string;
  force?: boolean;
  reencodeOnEncoderChange?: boolean;
  /** The previous manifest's sources, by source key. */
  previous: Map<string, ManifestSource>;
  onDisk: Map<string, OutputState>;
  naming?: Naming;
  /** Absolute output folder, for the containment check. Default: outputs are not checked. */
  outDir?: string;
}): SourcePlan[] {
  const claimed = new Map<string, string>();
  const naming = args.naming ?? { profile: 'universal' };
  const suffixes = siblingSuffixes(args.sources, args.presets, naming, args.previous);
  return args.sources.map((source) => {
    const prev = args.previous.get(source.key);
    const outputs = args.presets.map((preset): PlannedOutput => {
      const rel = outputRelPath(preset, source, naming, suffixes.get(outputKey(source.key, preset.id)));
      const recipe = outputRecipe(preset, source, args.ctx);
      const key = collisionKey(rel, naming.profile);
      const owner = claimed.get(key);
      if (owner === undefined) claimed.set(key, source.path);
      // Components are made safe when rendered; this is the belt to those braces.
      const root = args.outDir ? resolve(args.outDir, naming.flat ? '' : preset.id) : undefined;
      const escapes = root !== undefined && !resolve(args.outDir!, rel).startsWith(root + sep);
      const collision = escapes
        ? {
            code: 'E_OUTPUT_PATH_UNSAFE' as const,
            message: `${rel}: this output path would leave the output folder; nothing was written`,
          }
        : owner !== undefined
          ? {
              code: 'E_OUTPUT_COLLISION' as const,
              message: `${rel}: this output path is already the output of ${owner}; nothing was overwritten`,
            }
          : undefined;
      const previous = prev?.outputs.find((o) => o.preset === preset.id && o.path === rel);
      const decision = decide({
        force: args.force,
        source,
        prevSource: prev,
        prevOutput: previous,
        presetHash: preset.hash,
        ffmpegVersion: args.ffmpegVersion,
        reencodeOnEncoderChange: args.reencodeOnEncoderChange,
        onDisk: args.onDisk.get(rel),
      });
      return {
        preset,
        rel,
        decision,
        ...recipe,
        ...(collision ? { collision } : {}),
        ...(previous ? { previous } : {}),
      };
    });
    return { source, outputs };
  });
}

/**
 * A job's expected work: samples to decode and process. A 96 kHz track costs twice a 48 kHz one of
 * the same length (and more: it is resampled for every lossy output), so duration alone would start
 * hi-res jobs late and leave one core idle at the end of the run.
 */
function cost(s: PlannedSource): number {
  return (s.duration ?? 0) * (s.sampleRate || 44100) * Math.max(1, s.channels);
}

/**
 * Group the outputs to encode into jobs: one per source (decode once). Sources with nothing to encode but
 * no loudness yet get a measure-only job. Costliest sources first; the dispatcher orders them by a finer
 * estimate, and cuts a job into pieces at the end of a run when a core would otherwise sit idle
 * (transcode/schedule.ts).
 */
export function groupJobs(
  plans: SourcePlan[],
  needsLoudness: (s: PlannedSource) => boolean = () => false,
): PlannedJob[] {
  return plans
    .map((p) => ({
      source: p.source,
      outputs: p.outputs.filter((o) => o.decision.action === 'encode' && !o.collision),
    }))
    .filter((p) => p.outputs.length > 0 || needsLoudness(p.source))
    .sort((a, b) => cost(b.source) - cost(a.source))
    .map(
      (p): PlannedJob => ({
        kind: p.outputs.length ? 'encode' : 'measure',
        source: p.source,
        outputs: p.outputs,
        measureLoudness: needsLoudness(p.source),
      }),
    );
}
