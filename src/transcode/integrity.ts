/**
 * Is the master damaged? Judged from the one decode that made its outputs: decode errors ffmpeg reported while
 * going on, and for FLAC what its STREAMINFO promised (the MD5 of its samples, its channels, its length)
 * against what was decoded. A damaged master gets no outputs unless the user accepts damaged masters.
 */
import type { DecodeReport } from '../ffmpeg/decode-report.js';
import type { RunOutcome } from '../ffmpeg/adapter.js';
import { PCM_BYTES } from '../sources/sample-format.js';
import type { StreamInfo } from '../sources/streaminfo.js';
import type { TranscodeJob } from './job.js';

export interface DecodedFacts {
  /** The master's STREAMINFO, for a bare FLAC stream. */
  streamInfo?: StreamInfo;
  /** MD5 of the decoded samples in STREAMINFO's form, when it was computed. */
  streamInfoMd5?: string;
  /** Channels the frames hold (from the STREAMINFO-form hash output's byte count). */
  decodedChannels?: number;
  /** Samples per channel decoded. */
  decodedSamples?: number;
  /** Decode errors ffmpeg reported, and their description. */
  decodeErrors: number;
  describeErrors: () => string;
}

export interface Verdict {
  /** Why the master is damaged; empty when it is not. */
  damage: string[];
  /** Oddities that do not damage the audio. */
  warnings: string[];
}

/** The master's verdict from one decode. */
export function judgeMaster(f: DecodedFacts): Verdict {
  const damage: string[] = [];
  const warnings: string[] = [];
  if (f.decodeErrors > 0) damage.push(`ffmpeg reported ${f.describeErrors()} while decoding it`);
  const si = f.streamInfo;
  if (!si) return { damage, warnings };
  if (si.md5 && f.streamInfoMd5 && si.md5 !== f.streamInfoMd5)
    damage.push(`its decoded audio does not match the MD5 in its STREAMINFO (${si.md5}; decoded: ${f.streamInfoMd5})`);
  if (f.decodedChannels !== undefined && f.decodedChannels !== si.channels)
    damage.push(`its STREAMINFO says ${si.channels} channels but its frames hold ${f.decodedChannels}`);
  if (si.totalSamples && f.decodedSamples !== undefined) {
    if (f.decodedSamples < si.totalSamples)
      damage.push(
        `it decodes to ${f.decodedSamples} samples per channel but its STREAMINFO says ${si.totalSamples} (truncated?)`,
      );
    else if (f.decodedSamples > si.totalSamples)
      warnings.push(`decodes to ${f.decodedSamples} samples per channel; its STREAMINFO says only ${si.totalSamples}`);
  }
  return { damage, warnings };
}

/** The verdict on a job's master from its run: what ffmpeg reported, and the STREAMINFO-form hash and its size. */
export function masterVerdict(
  job: TranscodeJob,
  seen: { run: RunOutcome; report: DecodeReport; streamInfo?: StreamInfo; md5s: string[]; hashBase: number },
): Verdict {
  const i = job.streamInfoHash;
  const h = i !== undefined ? job.hashes?.[i] : undefined;
  const stats = i !== undefined ? seen.report.outputs.get(seen.hashBase + i) : undefined;
  const decodedChannels =
    h && stats?.samples ? Math.round(stats.bytes / (stats.samples * PCM_BYTES[h.format])) : undefined;
  return judgeMaster({
    ...(seen.streamInfo ? { streamInfo: seen.streamInfo } : {}),
    ...(i !== undefined && seen.md5s[i] ? { streamInfoMd5: seen.md5s[i] } : {}),
    ...(decodedChannels !== undefined ? { decodedChannels } : {}),
    ...(seen.run.decodedSamples !== undefined ? { decodedSamples: seen.run.decodedSamples } : {}),
    decodeErrors: seen.report.errors,
    describeErrors: () => seen.report.describe(),
  });
}
