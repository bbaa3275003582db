/**
 * A time-left estimate a person can watch: hidden until it means something, then counting down with the
 * clock and eased towards each new estimate instead of jumping to it. Pure: the caller passes the time.
 *
 * Why: the first reports of a batch measure ffmpeg starting up, not converting (a 19 s job once showed
 * `ETA 1:31:50` in its first second), and per-job progress arrives in bursts, so the raw
 * remaining / rate swings by a factor of two from one report to the next.
 */

export interface EtaSettings {
  /** No estimate before this many seconds of measured progress... */
  minSeconds: number;
  /** ...nor before this fraction of the work is done. */
  minFraction: number;
  /** The rate is measured over about this many recent seconds. */
  windowSeconds: number;
  /** Seconds over which the shown value moves about 63% of the way to a new estimate. */
  easeSeconds: number;
}

export const ETA_DEFAULTS: EtaSettings = { minSeconds: 2, minFraction: 0.03, windowSeconds: 10, easeSeconds: 4 };

export class EtaSmoother {
  private shown: number | undefined;
  private shownAt = 0;
  /** (time, done) samples from the first progress on: start-up before it is not converting. */
  private readonly samples: { t: number; done: number }[] = [];

  constructor(private readonly settings: EtaSettings = ETA_DEFAULTS) {}

  /**
   * Seconds left after `done` of `total` units of work at time `now` (ms), or undefined while there is
   * too little to go on.
   */
  update(done: number, total: number, now: number): number | undefined {
    if (total <= 0) return undefined;
    if (done >= total) {
      this.shown = 0;
      this.shownAt = now;
      return 0;
    }
    if (done <= 0) return undefined;
    const s = this.samples;
    s.push({ t: now, done });
    // Keep one sample older than the window, so the window is always full once it can be.
    while (s.length > 2 && now - s[1].t > this.settings.windowSeconds * 1000) s.shift();
    const measured = (now - s[0].t) / 1000;
    if (measured < this.settings.minSeconds || done / total < this.settings.minFraction) return undefined;
    const rate = (done - s[0].done) / measured;
    if (rate <= 0) return this.shown;
    const raw = (total - done) / rate;
    if (this.shown === undefined) {
      this.shown = raw;
      this.shownAt = now;
      return raw;
    }
    const dt = Math.max(0, (now - this.shownAt) / 1000);
    const counted = Math.max(0, this.shown - dt);
    const k = 1 - Math.exp(-dt / this.settings.easeSeconds);
    this.shown = counted + (raw - counted) * k;
    this.shownAt = now;
    return this.shown;
  }
}
