/**
 * EBU R128 / ITU-R BS.1770 loudness. ffmpeg's ebur128 filter runs in the same process that
 * encodes the track; its per-100 ms log lines give the momentary loudness of every 400 ms gating
 * block. Those blocks are kept as a histogram (0.1 LU bins, the precision ffmpeg prints), so the
 * loudness of an album, which is gated over all its tracks' blocks together, is exact without
 * decoding any track again.
 */

/**
 * Which peak ReplayGain's PEAK tags hold. Sample peak (the largest sample) is the default: it is what the
 * ReplayGain 2.0 specification describes and what rsgain, metaflac, r128gain and mp3gain write, and it costs
 * nothing beside the meter. True peak (4x oversampled, inter-sample overs included, as loudgain and beets' ffmpeg
 * backend write) costs about twice the meter's CPU; players use either only to cap the gain at 1/peak.
 */
export type PeakKind = 'sample' | 'true';

/** The peak a run measures: the --true-peak option's choice. */
export const peakKind = (truePeak: boolean | undefined): PeakKind => (truePeak ? 'true' : 'sample');

export interface TrackLoudness {
  /** Integrated loudness, LUFS; undefined for silence (no block above the -70 LUFS gate). */
  integratedLufs?: number;
  /** Peak, dBFS (largest over channels), of the kind `peak` says. */
  peakDbfs: number;
  peak: PeakKind;
  /** Gating blocks: momentary loudness x10 (integer) -> count. */
  blocks: Record<string, number>;
}

/** The ffmpeg filter for the measuring branch. */
export const ebur128Filter = (peak: PeakKind) => `ebur128=peak=${peak}:framelog=verbose`;

/** ffmpeg prints peaks to 0.1 dB: half a step is added so a player's clipping guard never trusts a peak too low. */
const PEAK_MARGIN_DB = 0.05;

/** Collects an ebur128 filter's output from ffmpeg's stderr, line by line. */
export class LoudnessMeter {
  private readonly blocks = new Map<number, number>();
  private peakDbfs: number | undefined;
  private inSummary = false;

  constructor(private readonly kind: PeakKind) {}

  line(l: string): void {
    if (!l.includes('Parsed_ebur128') && !this.inSummary) return;
    const m = /\bt: [\d.]+\s+TARGET:.*?\bM:\s*(-?[\d.]+)/.exec(l);
    if (m) {
      const bin = Math.round(parseFloat(m[1]) * 10);
      this.blocks.set(bin, (this.blocks.get(bin) ?? 0) + 1);
      return;
    }
    if (/Parsed_ebur128.*Summary:/.test(l)) this.inSummary = true;
    const p = this.inSummary ? /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(l) : null;
    if (p) this.peakDbfs = p[1] === '-inf' ? -Infinity : this.withMargin(parseFloat(p[1]));
  }

  /** Half a print step up; but a sample peak read at or under full scale stays there (an integer master's
   *  largest sample cannot pass it, and a PEAK over 1.0 would make players cut a gain the track never needs). */
  private withMargin(printed: number): number {
    const up = Math.round((printed + PEAK_MARGIN_DB) * 100) / 100;
    return this.kind === 'sample' && printed <= 0 ? Math.min(up, 0) : up;
  }

  result(): TrackLoudness | undefined {
    if (this.peakDbfs === undefined) return undefined;
    const blocks = Object.fromEntries([...this.blocks].map(([k, v]) => [String(k), v]));
    return { integratedLufs: gatedLoudness([blocks]), peakDbfs: this.peakDbfs, peak: this.kind, blocks };
  }
}

/** BS.1770-4 gated loudness over the blocks of one or more tracks (an album). */
export function gatedLoudness(histograms: Record<string, number>[]): number | undefined {
  const energy = (lufs: number) => 10 ** (lufs / 10);
  const blocks: [number, number][] = [];
  for (const h of histograms) for (const [k, n] of Object.entries(h)) blocks.push([Number(k) / 10, n]);
  const mean = (bs: [number, number][]) => {
    const count = bs.reduce((a, [, n]) => a + n, 0);
    return count ? 10 * Math.log10(bs.reduce((a, [l, n]) => a + n * energy(l), 0) / count) : undefined;
  };
  const absolute = blocks.filter(([l]) => l > -70);
  const ungated = mean(absolute);
  if (ungated === undefined) return undefined;
  const relative = ungated - 10;
  return mean(absolute.filter(([l]) => l > relative));
}

/** ReplayGain 2.0 reference: -18 LUFS. */
export const RG_REFERENCE_LUFS = -18;
/** RFC 7845 (Opus) R128 gains are relative to -23 LUFS. */
export const R128_REFERENCE_LUFS = -23;

export interface GainSet {
  track?: { lufs: number; peakDbfs: number };
  album?: { lufs: number; peakDbfs: number };
}

const peakLinear = (dbfs: number) => (dbfs === -Infinity ? 0 : 10 ** (dbfs / 20));

/** ReplayGain 2.0 tags (FLAC, MP3): gains in dB to -18 LUFS, peaks as linear amplitude. */
export function replayGainEntries(g: GainSet): [string, string][] {
  const out: [string, string][] = [];
  const add = (scope: 'TRACK' | 'ALBUM', v?: { lufs: number; peakDbfs: number }) => {
    if (!v) return;
    out.push([`REPLAYGAIN_${scope}_GAIN`, `${(RG_REFERENCE_LUFS - v.lufs).toFixed(2)} dB`]);
    out.push([`REPLAYGAIN_${scope}_PEAK`, peakLinear(v.peakDbfs).toFixed(6)]);
  };
  add('TRACK', g.track);
  add('ALBUM', g.album);
  if (out.length) out.push(['REPLAYGAIN_REFERENCE_LOUDNESS', `${RG_REFERENCE_LUFS.toFixed(2)} LUFS`]);
  return out;
}

/** RFC 7845 R128_TRACK_GAIN / R128_ALBUM_GAIN: Q7.8 fixed point integers relative to -23 LUFS. */
export function r128Entries(g: GainSet): [string, string][] {
  const q78 = (lufs: number) =>
    String(Math.max(-32768, Math.min(32767, Math.round((R128_REFERENCE_LUFS - lufs) * 256))));
  const out: [string, string][] = [];
  if (g.track) out.push(['R128_TRACK_GAIN', q78(g.track.lufs)]);
  if (g.album) out.push(['R128_ALBUM_GAIN', q78(g.album.lufs)]);
  return out;
}
