/**
 * What the routes share: the library, the presets on offer, the cache, seeds and encoder, and the few
 * decisions every route makes the same way (an output's cache key, a track checked fresh, a tidy name).
 */
import { safeComponent } from '../plan/fs-profile.js';
import type { Preset } from '../presets/presets.js';
import type { RecipeContext } from '../plan/recipe.js';
import { cacheKey, type OutputCache } from './cache.js';
import type { Encoder } from './encoder.js';
import type { Library, Track } from './library.js';
import type { Seeds } from './seed.js';
import type { Logger } from '../model.js';

export interface RescanResult {
  albums: number;
  tracks: number;
  changed: number;
  gone: number;
  invalidated: number;
}

export interface ServeContext {
  library: Library;
  presets: Map<string, Preset>;
  cache: OutputCache;
  encoder: Encoder;
  seeds: Seeds;
  ffmpegPath: string;
  ffmpegVersion: string;
  recipe: RecipeContext;
  token?: string;
  log: Logger;
  rescan(): Promise<RescanResult>;
}

/** The cache key of a track's output in a preset. */
export const keyOf = (ctx: ServeContext, t: Track, p: Preset) => cacheKey(t.identity, p.hash, ctx.ffmpegVersion);

/** A track by id, rescanned first when its master changed on disk since it was probed; undefined: 404. */
export async function freshTrack(ctx: ServeContext, id: string): Promise<Track | undefined> {
  const t = ctx.library.track(id);
  if (!t || ctx.library.unchanged(t)) return t;
  await ctx.rescan();
  return ctx.library.track(id);
}

/** "Artist - Title.ext", valid on every filesystem. */
export function downloadName(t: Track, p: Preset): string {
  return safeComponent(`${t.artist} - ${t.title}`, 'universal', `.${p.extension}`);
}
