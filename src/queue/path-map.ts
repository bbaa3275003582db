/**
 * Path mapping between machines that mount the same storage at different places: `--map /mnt/music=/volume1/music`
 * turns the coordinator's /mnt/music/a.flac into /volume1/music/a.flac on this worker. The longest matching prefix
 * wins, and it matches whole path components only (/mnt/music never maps /mnt/musicals).
 */
import { AudiofanError } from '../errors.js';

export interface PathMapping {
  from: string;
  to: string;
}

const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** Parse `from=to` pairs; both sides absolute. Throws E_USAGE naming the pair. */
export function parseMappings(pairs: readonly string[]): PathMapping[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    const [from, to] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    if (!from.startsWith('/') || !to.startsWith('/'))
      throw new AudiofanError('E_USAGE', `option map: expected /coordinator/path=/worker/path, got "${pair}"`);
    return { from: trim(from), to: trim(to) };
  });
}

/** A coordinator path as this worker sees it (unchanged when no mapping matches). */
export function mapPath(maps: readonly PathMapping[], p: string): string {
  let best: PathMapping | undefined;
  for (const m of maps) {
    const hit = p === m.from || p.startsWith(m.from === '/' ? '/' : `${m.from}/`);
    if (hit && (!best || m.from.length > best.from.length)) best = m;
  }
  if (!best) return p;
  const rest = p.slice(best.from === '/' ? 0 : best.from.length);
  return best.to === '/' ? rest || '/' : `${best.to}${rest}`;
}
