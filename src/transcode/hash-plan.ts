/**
 * Which hashes of the master's decoded samples a job's one ffmpeg run computes, beside its encodes: one per PCM
 * format its lossless outputs are proven in, and for a FLAC master whose STREAMINFO holds an MD5, that MD5's own
 * form (libFLAC's), so the master is checked in the same decode. Usually both are one and the same hash. A DSD
 * master is hashed after its decode filter: its outputs are proven equal to the policy's PCM (sources/dsd.ts).
 */
import { PCM_CODEC, flacMd5Form, type PcmFormat } from '../sources/sample-format.js';
import type { BitExactPlan, PlannedOutput, SourceInfo } from '../model.js';

/** One md5 output of the run: the master's samples in `format`, after `filter` when set. */
export interface MasterHash {
  format: PcmFormat;
  filter?: string;
}

export interface HashPlan {
  hashes: MasterHash[];
  /** Index (in hashes) of the STREAMINFO-form hash, for a FLAC master with an MD5. */
  streamInfo?: number;
  /** Per output (by preset id): its bit-exactness plan and the index of the master hash it is compared with. */
  outputs: Map<string, BitExactPlan & { hash: number }>;
}

// Also without an MD5 to compare: the hash output's byte count tells how many channels the frames really hold.
const isFlac = (src: SourceInfo) => /^flac$/i.test(src.codec);

/** The master hashes a job needs for its outputs (only those being encoded). */
export function planHashes(src: SourceInfo, outputs: PlannedOutput[]): HashPlan {
  const hashes: MasterHash[] = [];
  const indexOf = (h: MasterHash) => {
    const i = hashes.findIndex((x) => x.format === h.format && x.filter === h.filter);
    return i >= 0 ? i : hashes.push(h) - 1;
  };
  const plan: HashPlan = { hashes, outputs: new Map() };
  // STREAMINFO first: a master that fails its own check need not be compared with anything.
  const form = isFlac(src) && src.bitsPerSample ? flacMd5Form(src.bitsPerSample) : undefined;
  if (form) plan.streamInfo = indexOf(form);
  // A master decoded through a filter (DSD) is hashed as the PCM its outputs are made from: after that filter.
  const filter = src.decode?.filter;
  for (const o of outputs)
    if (o.bitExact)
      plan.outputs.set(o.preset.id, {
        ...o.bitExact,
        hash: indexOf({ format: o.bitExact.format, ...(filter ? { filter } : {}) }),
      });
  return plan;
}

/** ffmpeg output arguments of one master hash (written to stdout as "MD5=<hex>"). */
export function hashOutputArgs(h: MasterHash): string[] {
  return ['-map', '0:a:0', ...(h.filter ? ['-af', h.filter] : []), '-c:a', PCM_CODEC[h.format], '-f', 'md5'];
}

/** The MD5 lines of a run's stdout, in output order (ffmpeg writes each at its output's end, in order). */
export function parseMd5Lines(stdout: string): string[] {
  return [...stdout.matchAll(/^MD5=([0-9a-f]{32})\s*$/gm)].map((m) => m[1]);
}
