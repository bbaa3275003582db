/**
 * What ffmpeg's stderr says about decoding the input, read line by line while it runs: the decode errors it
 * reported while going on (CRC failures, lost sync, invalid frames: ffmpeg still exits 0), and how many bytes
 * each output received (the hash outputs' byte counts give the channel count the frames really hold).
 */

/** Lines ffmpeg itself prints when a packet fails to decode (4.1 to 7.x wordings). */
const DECODE_FAILED = /Error while decoding stream #0:|Decoding error:|Error submitting packet to decoder/;
/** What a decoder or demuxer says when the data is damaged. */
const DAMAGE =
  /CRC|checksum|invalid|corrupt|overread|sync|decode_frame\(\) failed|mismatch|truncat|error|incomplete|out of range/i;
const TAGGED = /^\[([^\]@]+?) @ 0x[0-9a-f]+\] (.*)$/;
const REPEATED = /Last message repeated (\d+) times?/;
const MAPPING = /^\s*Stream #0:\d+ -> #\d+:\d+ \((\S+) /;
const INPUT = /^Input #0, (.+?), from /;
const OUT_STATS = /Output stream #(\d+):\d+ \(audio\): .*\((\d+) samples\); .*\((\d+) bytes\)/;

/** Reads a run's stderr lines; `errors` and `outputs` are complete once ffmpeg has exited. */
export class DecodeReport {
  /** Decode errors reported (a repeated message counts each time). */
  errors = 0;
  /** The first few, as ffmpeg worded them, for the reason a master is called damaged. */
  readonly samples: string[] = [];
  /** Per output file index: samples and bytes it received. */
  readonly outputs = new Map<number, { samples: number; bytes: number }>();
  private readonly sources = new Set<string>();
  private lastCounted = false;

  line(l: string): void {
    const input = INPUT.exec(l);
    if (input) this.sources.add(input[1]);
    const map = MAPPING.exec(l);
    if (map) this.sources.add(map[1]);
    const stats = OUT_STATS.exec(l);
    if (stats) this.outputs.set(+stats[1], { samples: +stats[2], bytes: +stats[3] });
    const rep = REPEATED.exec(l);
    if (rep) {
      if (this.lastCounted) this.errors += +rep[1];
      return;
    }
    this.lastCounted = this.isDecodeError(l);
    if (!this.lastCounted) return;
    this.errors++;
    if (this.samples.length < 3) this.samples.push(l.trim());
  }

  private isDecodeError(l: string): boolean {
    if (DECODE_FAILED.test(l)) return true;
    const t = TAGGED.exec(l);
    // Only the input's demuxer and decoder: an encoder's or filter's complaint is no damage in the master.
    return !!t && this.sources.has(t[1].trim()) && DAMAGE.test(t[2]);
  }

  /** "3 decode errors (first: [flac] CRC error at PTS 61440)". */
  describe(): string {
    const first = this.samples[0]?.replace(/ @ 0x[0-9a-f]+\]/, ']');
    return `${this.errors} decode error${this.errors === 1 ? '' : 's'}${first ? ` (first: ${first})` : ''}`;
  }
}
