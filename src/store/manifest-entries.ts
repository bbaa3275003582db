/**
 * Manifest entries from a run's plan and results: one per output, one per source.
 */
import { ErrorCodes, type ErrorCode } from '../errors.js';
import type { OutputResult } from '../transcode/job.js';
import type { TrackLoudness } from '../tagging/loudness.js';
import type { ManifestOutput, ManifestSource, PlannedOutput, SourcePlan } from '../model.js';

/** An output entry after its tags were rewritten. */
export function mergeRetag(base: ManifestOutput, rt: OutputResult): ManifestOutput {
  // Stopped by an interrupt: the file and its record are as they were; the next run retags it.
  if (rt.code === 'E_CANCELLED')
    return base.action === 'encoded' ? base : { ...base, reason: 'not done (run interrupted); was to retag' };
  if (rt.status !== 'ok') return { ...base, status: 'failed', code: rt.code, message: rt.message };
  // The gains on record are those the new tags carry: none when the retag wrote none (--no-loudness).
  const { gains: _old, ...rest } = base;
  return {
    ...rest,
    action: base.action === 'encoded' ? 'encoded' : 'retagged',
    reason: base.action === 'encoded' ? base.reason : 'tags or art changed',
    size: rt.size,
    mtimeMs: rt.mtimeMs,
    tagsHash: rt.tagsHash,
    ...(rt.gains ? { gains: rt.gains } : {}),
    ...withWarnings(base.warnings, rt.warnings),
  };
}

/** The manifest entry of one output, from its plan and (when it ran) the worker's result. */
export function outputEntry(
  po: PlannedOutput,
  ffmpegVersion: string,
  notRun?: 'dry run' | 'cancelled',
  r?: OutputResult & { elapsedMs: number },
): ManifestOutput {
  const base = {
    preset: po.preset.id,
    presetHash: po.preset.hash,
    path: po.rel,
    ffmpegVersion,
    ...(po.warnings.length ? { warnings: po.warnings } : {}),
  };
  if (po.collision) return { ...base, status: 'failed', action: 'none', reason: po.decision.reason, ...po.collision };
  if (!r) {
    const code: ErrorCode | undefined = notRun === 'cancelled' ? 'E_CANCELLED' : undefined;
    return {
      ...base,
      status: 'skipped',
      action: 'none',
      reason: `${notRun ?? 'not run'}: would ${po.decision.action} (${po.decision.reason})`,
      ...(code ? { code, message: ErrorCodes[code] } : {}),
    };
  }
  const { key: _k, status, elapsedMs, warnings: _w, ...rest } = r;
  return {
    ...base,
    ...rest,
    ...withWarnings(base.warnings, r.warnings),
    status,
    action: status === 'ok' ? 'encoded' : 'none',
    reason: po.decision.reason,
    elapsedMs,
  };
}

/** The plan's warnings followed by the worker's, once each; nothing when there are none. */
function withWarnings(plan: string[] | undefined, worker: string[] | undefined): { warnings?: string[] } {
  const all = [...new Set([...(plan ?? []), ...(worker ?? [])])];
  return all.length ? { warnings: all } : {};
}

/** Codes that describe the source itself rather than one output; lifted to the source entry. */
const SOURCE_LEVEL: ErrorCode[] = [
  'E_SOURCE_TRUNCATED',
  'E_NO_AUDIO_DECODED',
  'E_SOURCE_CHANGED',
  'E_FFMPEG_FAILED',
  'E_SOURCE_CORRUPT',
  'E_SOURCE_UNSUPPORTED',
];

export function sourceEntry(
  plan: SourcePlan,
  decodedDuration: number | undefined,
  loudness: TrackLoudness | undefined,
  toOutput: (po: PlannedOutput) => ManifestOutput,
): ManifestSource {
  const s = plan.source;
  const outputs = plan.outputs.map(toOutput);
  const failed = outputs.find((x) => x.status === 'failed');
  const lifted =
    failed?.code && SOURCE_LEVEL.includes(failed.code) ? { code: failed.code, message: failed.message } : {};
  return {
    path: s.path,
    root: s.root,
    rel: s.rel,
    size: s.size,
    mtimeMs: s.mtimeMs,
    container: s.container,
    codec: s.codec,
    sampleRate: s.sampleRate,
    bitsPerSample: s.bitsPerSample,
    channels: s.channels,
    duration: s.duration,
    ...(s.decode ? { decode: s.decode } : {}),
    status: failed ? 'failed' : 'ok',
    ...lifted,
    ...(decodedDuration !== undefined ? { decodedDuration } : {}),
    tags: s.tags,
    ...(s.cover ? { cover: s.cover } : {}),
    ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
    ...(loudness ? { loudness } : {}),
    ...(s.warnings.length ? { warnings: s.warnings } : {}),
    outputs,
  };
}
