/**
 * What each output's tags are: the source's canonical entries, minus what is not carried, plus
 * the loudness tags of the target's kind, in the target's own form (Vorbis entries or ID3 frames).
 */
import { createHash } from 'node:crypto';
import { r128Entries, replayGainEntries, type GainSet } from './loudness.js';
import { NOT_CARRIED, REPLAYGAIN_KEYS } from './fields.js';
import { artIdentity, type CoverRef } from '../sources/art.js';
import type { Id3Version } from './id3v2.js';
import type { TagEntries } from './vorbis-comment.js';
import { tagWriter, type TagWriterId } from './writers.js';

/** Which writer tags an output: our own for FLAC, Opus and MP3; ffmpeg's for the rest (see writers.ts). */
export type TagWriter = TagWriterId;

export interface TagContext {
  writer: TagWriter;
  id3Version: Id3Version;
  /** Loudness measured this run or before; undefined when loudness is off. */
  gains?: GainSet;
}

/** The entries an output gets (Vorbis form; ID3 frames are derived from these). */
export function targetEntries(source: TagEntries, ctx: TagContext): TagEntries {
  const opus = tagWriter(ctx.writer).gains === 'r128';
  const out = source.filter(
    ([k]) =>
      !NOT_CARRIED.has(k) &&
      // Opus players expect R128_* integers: ReplayGain strings never go into Opus.
      // Measured gains replace the source's.
      !(REPLAYGAIN_KEYS.has(k) && (opus || ctx.gains !== undefined)),
  );
  if (ctx.gains) out.push(...(opus ? r128Entries(ctx.gains) : replayGainEntries(ctx.gains)));
  return out;
}

/**
 * Everything an output's tags and art will be, and its hash: computed the same way by the worker
 * that writes them and by the coordinator deciding whether an output needs a retag.
 */
export function tagState(input: {
  entries: TagEntries;
  writer: TagWriter;
  id3Version: Id3Version;
  loudness: boolean;
  gains?: GainSet;
  art: boolean;
  cover?: CoverRef;
  artMaxSize?: number;
}): { entries: TagEntries; hash: string; gains?: GainSet } {
  // A writer of basic tags only (ffmpeg's) writes no loudness tags.
  const w = tagWriter(input.writer);
  const gains = input.loudness && w.gains !== 'none' ? (input.gains ?? {}) : undefined;
  const ctx: TagContext = { writer: input.writer, id3Version: input.id3Version, ...(gains ? { gains } : {}) };
  const entries = targetEntries(input.entries, ctx);
  const art = artIdentity(input.art && w.cover ? input.cover : undefined, input.artMaxSize);
  return { entries, hash: tagsHash(entries, ctx, art), ...(gains ? { gains } : {}) };
}

/** A short hash of everything that decides an output's tags and art; a change means "retag". */
export function tagsHash(entries: TagEntries, ctx: Pick<TagContext, 'writer' | 'id3Version'>, art: string): string {
  return createHash('sha256')
    .update(JSON.stringify([ctx.writer, ctx.writer === 'id3v2' ? ctx.id3Version : 0, entries, art]))
    .digest('hex')
    .slice(0, 16);
}

export { id3Frames } from './id3-frames.js';
