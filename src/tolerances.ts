/**
 * How exact the length checks are: an output must hold all the audio decoded from its source (the
 * worker checks every output; `audiofan adopt` checks files found at output paths), and a source
 * must decode to about as much audio as its header promises.
 */

/** How far an output's duration may differ from the decoded audio (encoder delay and padding). */
export function durationTolerance(seconds: number): number {
  return 0.15 + seconds * 0.002;
}

/** A source is truncated when it decodes to this much less than its header promises. */
export function truncationSlack(seconds: number): number {
  return Math.max(0.5, seconds * 0.02);
}
