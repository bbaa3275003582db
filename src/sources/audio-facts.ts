/**
 * A master's audio facts from what ffmpeg reports for its first audio stream: rate, channels, bits, duration. DSD
 * streams get the PCM rate and depth of the DSD policy (dsd.ts) and the filter that makes it.
 */
import type { MediaInfo, StreamInfo } from '../ffmpeg/identify.js';
import { codecClass, pcmBits } from './codec-class.js';
import { dsdPolicy } from './dsd.js';
import type { SourceAudio } from '../model.js';

/** Bits of ffmpeg's decoded sample formats, when the stream states nothing more precise. */
const FORMAT_BITS: Record<string, number> = { u8: 8, s16: 16, s32: 32, s64: 64, flt: 32, dbl: 64 };

export function audioFacts(info: MediaInfo, s: StreamInfo): SourceAudio {
  // A duration ffmpeg guessed from the bitrate is exact only for PCM (constant bitrate).
  const trusted = !info.durationEstimated || s.codec.startsWith('pcm_');
  const duration = trusted ? info.duration : undefined;
  const base = {
    container: info.format,
    codec: s.codec,
    channels: s.channels ?? 0,
    ...(duration !== undefined ? { duration } : {}),
  };
  if (codecClass(s.codec) === 'dsd' && s.sampleRate) {
    const p = dsdPolicy(s.sampleRate);
    return {
      ...base,
      sampleRate: p.sampleRate,
      bitsPerSample: p.bitsPerSample,
      decode: { sampleRate: s.sampleRate, filter: p.filter },
    };
  }
  const bits = s.bits ?? pcmBits(s.codec) ?? FORMAT_BITS[(s.sampleFormat ?? '').replace(/p$/, '')];
  return { ...base, sampleRate: s.sampleRate ?? 0, ...(bits ? { bitsPerSample: bits } : {}) };
}
