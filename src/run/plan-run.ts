/**
 * Stage 4, plan: every output's decision, where it would be written (and whether that place is ours),
 * orphans, loudness already known, and the jobs to run.
 */
import { parseLayout } from '../plan/layout.js';
import { peakKind, type TrackLoudness } from '../tagging/loudness.js';
import { findOrphans } from '../store/orphans.js';
import { checkOutputPaths, statOutputs } from '../store/outputs-on-disk.js';
import { groupJobs, planSources } from '../plan/plan.js';
import { gainsBySource } from '../plan/reconcile.js';
import { sourceKey } from '../sources/source-key.js';
import type { Found, Plan, Records, Run } from './context.js';

/** Stage 4: decide every output, check where each would be written, find orphans, group jobs. */
export async function planRun(run: Run, records: Records, found: Found): Promise<Plan> {
  const { o, info, outDir, presets } = run;
  const { previous } = records;
  const onDisk = statOutputs(
    outDir,
    previous,
    presets.map((p) => p.id),
  );
  const naming = { profile: o.fsProfile, flat: o.flat, ...(o.layout ? { layout: parseLayout(o.layout) } : {}) };
  const plans = planSources({
    sources: found.sources,
    presets,
    ctx: { soxr: info.soxr, flac32: info.flac32 ?? false },
    ffmpegVersion: info.version,
    force: o.force,
    reencodeOnEncoderChange: o.reencodeOnEncoderChange,
    previous,
    onDisk,
    naming,
    outDir,
  });
  if (records.folder) {
    await checkOutputPaths(plans, {
      folder: records.folder,
      ours: records.ours,
      force: o.force,
      adopt: o.adopt,
      ffmpegVersion: info.version,
    });
  }
  const present = new Set(found.probed.map((p) => p.file.key));
  // An empty source folder is no place the scan could not look: its outputs are listed as orphans (and kept).
  const unseen = found.scan.problems.filter((p) => p.kind !== 'empty-root').map((p) => sourceKey(p.rootIndex, p.rel));
  const unknown = (key: string) => unseen.some((u) => key === u || key.startsWith(u.endsWith('\0') ? u : `${u}/`));
  const orphans = findOrphans(
    previous,
    plans,
    present,
    presets.map((p) => p.id),
    unknown,
  );
  const tagSettings = {
    id3Version: o.id3v2Version,
    loudness: o.loudness,
    ...(o.truePeak ? { truePeak: true } : {}),
    ...(o.artMaxSize ? { artMaxSize: o.artMaxSize } : {}),
    ...(o.acceptDamaged ? { acceptDamaged: true } : {}),
  };
  // Loudness measured before stays valid while the audio is unchanged (a tags-only edit keeps it) and its peak is
  // of the kind asked for (--true-peak added or dropped measures again).
  const loudness = new Map<string, TrackLoudness>();
  for (const s of found.sources) {
    const p = previous.get(s.key);
    const same =
      p &&
      ((p.size === s.size && p.mtimeMs === s.mtimeMs) ||
        (p.fingerprint !== undefined && p.fingerprint === s.fingerprint));
    if (p?.loudness && same && p.loudness.peak === peakKind(o.truePeak)) loudness.set(s.path, p.loudness);
  }
  const jobs = groupJobs(plans, (s) => o.loudness && !loudness.has(s.path));
  // Encodes are tagged with the gains known now; album gains are settled by the tag stage.
  const provisional = gainsBySource(found.sources, loudness);
  for (const j of jobs) j.gains = provisional.get(j.source.path);
  const encoderChanged = plans
    .flatMap((p) => p.outputs)
    .filter((x) => x.decision.action === 'keep' && x.previous && x.previous.ffmpegVersion !== info.version);
  if (encoderChanged.length) {
    const made = [...new Set(encoderChanged.map((x) => x.previous!.ffmpegVersion))].join(', ');
    o.logger.warn(
      { event: 'encoder', outputs: encoderChanged.length, madeBy: made, now: info.version },
      `${encoderChanged.length} output(s) were made by ffmpeg ${made}, this is ${info.version}; ` +
        `they are kept (--reencode-on-encoder-change re-encodes them)`,
    );
  }
  const keep = plans.reduce((a, p) => a + p.outputs.filter((x) => x.decision.action === 'keep').length, 0);
  run.emit({
    type: 'planned',
    jobs: jobs.length,
    encode: jobs.reduce((a, j) => a + j.outputs.length, 0),
    keep,
    audioSeconds: [...new Set(jobs.map((j) => j.source))].reduce((a, s) => a + (s.duration ?? 0), 0),
  });
  return { plans, orphans, loudness, jobs, provisional, tagSettings, encoderChanged, unknown };
}
