/**
 * DSD masters become PCM by one documented policy. ffmpeg's DSD decoders turn the 1-bit stream into float PCM at
 * the DSD rate / 8 (352.8 kHz for DSD64) with all of DSD's shaped quantisation noise still in it: it rises steeply
 * above ~25 kHz (DSD64) and would be encoded as if it were music, and counted by loudness meters. So the master's
 * PCM is: a low-pass, then 24-bit at 88.2 kHz for DSD64 and 176.4 kHz for DSD128 and above. The low-pass is the
 * resampler's own: ffmpeg's swr with a long (128-tap) windowed-sinc filter whose pass band ends at 30 kHz for DSD64
 * and 50 kHz (the SACD specification's playback filter) for DSD128 and above. Not soxr: its cutoff only moves the
 * pass band's end, leaving the transition up to Nyquist, and DSD noise there came through 30 dB stronger. Level is as ffmpeg decodes it: SACD's
 * 0 dB reference (50 % modulation) lands at −6 dBFS, so no peak clips.
 */

/** How a DSD stream becomes the master's PCM. */
export interface DsdPolicy {
  /** The PCM rate the master is converted at: every preset sees a source of this rate. */
  sampleRate: number;
  bitsPerSample: 24;
  /** ffmpeg audio filter from the decoder's output to that PCM. */
  filter: string;
  /** Pass band end of the low-pass, Hz. */
  lowpassHz: number;
}

const DSD64_DECODED = 352_800;

/** The policy for a DSD stream that ffmpeg decodes at `decodedRate` (the DSD bit rate / 8). */
export function dsdPolicy(decodedRate: number): DsdPolicy {
  const dsd128OrMore = decodedRate >= 2 * DSD64_DECODED;
  const sampleRate = dsd128OrMore ? 176_400 : 88_200;
  const lowpassHz = dsd128OrMore ? 50_000 : 30_000;
  // aresample's cutoff is a fraction of the output's Nyquist frequency.
  const cutoff = (lowpassHz / (sampleRate / 2)).toFixed(4);
  // s32 carrying 24 bits: DSD's own noise floor lies far above a 24-bit LSB, so truncation adds nothing audible.
  return {
    sampleRate,
    bitsPerSample: 24,
    lowpassHz,
    filter: `aresample=${sampleRate}:resampler=swr:filter_size=128:cutoff=${cutoff},aformat=sample_fmts=s32`,
  };
}
