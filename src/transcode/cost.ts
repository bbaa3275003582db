/**
 * A job's expected CPU time, from the samples it decodes and what each output does with them: what the
 * scheduler (schedule.ts) orders jobs by (longest first) and weighs when it splits one. Only ratios matter
 * for the order; the absolute seconds matter for one thing, the smallest job worth splitting.
 *
 * The weights are user CPU per channel-sample, measured with `ffmpeg -benchmark` (Debian's 5.1, this
 * 2-core machine) on 30 s of pink noise at 44.1 kHz/16-bit and 96 kHz/24-bit stereo, one filter or
 * encoder per run minus the decode-only run (best of 2):
 *
 *   per input sample      44.1k   96k        per output sample     44.1k→  96k→
 *   decode (FLAC)          4 ns    8 ns      flac -compression_level 8   27 ns   31 ns
 *   md5 of the PCM        11 ns    5 ns      libmp3lame V0 / CBR 320     99 ns  ~100 ns (at 44.1k out)
 *   ebur128 peak=true     51 ns   27 ns      libopus 128k                96 ns   ~96 ns (at 48k out)
 *   ebur128 peak=sample   17 ns   12 ns
 *   resample soxr p28     17 ns (→48k)  5 ns (→48k) 16 ns (→44.1k); ffmpeg's swr about 2/3 of that
 *
 * A whole 3-preset CD job (flac + mp3-v0 + opus-128 + true-peak meter + md5) comes to ~310 ns per sample, within
 * 2 % of the four one-output runs added up; the 96 kHz one to ~185 ns per input sample, within 3 %. The defaults
 * charged below are the sample-peak meter and ffmpeg's own resampler (what the lossy presets use now); with
 * --true-peak or soxr a job costs a little more than estimated, alike for every job, so the order holds.
 */
import type { PlannedJob, PlannedOutput } from '../model.js';

/** Nanoseconds of CPU per channel-sample (see the table above); encoders are charged per output sample. */
export const WEIGHTS = {
  decode: 6,
  /** One md5 of the master's samples (bit-exact proof, STREAMINFO check). */
  hash: 8,
  /** The loudness meter (ebur128, sample peak: the default; true peak is about 45). */
  meter: 17,
  /** Per input sample, whenever an output's rate differs from the master's (ffmpeg's swr; soxr is about 15). */
  resample: 10,
  encoders: { flac: 28, libmp3lame: 100, libopus: 96 } as Readonly<Record<string, number>>,
  /** An encoder not measured: between FLAC and the lossy ones. */
  otherEncoder: 60,
} as const;

const NS = 1e-9;

/** Decoded channel-samples per second of the master (a DSD master at its decoder's rate). */
function inputRate(job: PlannedJob): number {
  const s = job.source;
  return (s.decode?.sampleRate ?? s.sampleRate ?? 44100) * Math.max(1, s.channels);
}

/** Seconds of CPU one output adds to its job: its encoder, and its resampler when the rate changes. */
export function outputCost(job: PlannedJob, o: PlannedOutput): number {
  const s = job.source;
  const seconds = s.duration ?? 0;
  const encoder = WEIGHTS.encoders[o.preset.encoder] ?? WEIGHTS.otherEncoder;
  const resampled = o.format.sampleRate !== (s.decode?.sampleRate ?? s.sampleRate);
  const encode = encoder * o.format.sampleRate * Math.max(1, o.format.channels);
  return seconds * NS * (encode + (resampled ? WEIGHTS.resample * inputRate(job) : 0));
}

/** Seconds of CPU the loudness meter adds to a job. */
export function meterCost(job: PlannedJob): number {
  return (job.source.duration ?? 0) * NS * WEIGHTS.meter * inputRate(job);
}

/** Seconds of CPU every ffmpeg run of a job pays, whatever it makes: the decode and the master's hash. */
export function baseCost(job: PlannedJob): number {
  return (job.source.duration ?? 0) * NS * (WEIGHTS.decode + WEIGHTS.hash) * inputRate(job);
}

/** A job's expected CPU seconds; a retag decodes nothing and costs next to nothing. */
export function jobCost(job: PlannedJob): number {
  if (job.kind === 'retag') return 0;
  const outputs = job.outputs.reduce((a, o) => a + outputCost(job, o), 0);
  return baseCost(job) + outputs + (job.measureLoudness ? meterCost(job) : 0);
}
