/**
 * What each output's tags are: the source's canonical entries, minus what is not carried, plus
 * the loudness tags of the target's kind, in the target's own form (Vorbis entries or ID3 frames).
 */
import { createHash } from 'node:crypto';
import { r128Entries, replayGainEntries, type GainSet } from './loudness.js';
import { ID3_RULES, NOT_CARRIED, REPLAYGAIN_KEYS } from './fields.js';
import { artIdentity, type CoverRef } from '../sources/art.js';
import type { Id3Frame, Id3Version } from './id3v2.js';
import type { Picture } from './picture.js';
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
  const out = source.filter(([k]) => !NOT_CARRIED.has(k)
    // Opus players expect R128_* integers: ReplayGain strings never go into Opus. Measured gains replace the source's.
    && !(REPLAYGAIN_KEYS.has(k) && (opus || ctx.gains !== undefined)));
  if (ctx.gains) out.push(...(opus ? r128Entries(ctx.gains) : replayGainEntries(ctx.gains)));
  return out;
}

/**
 * Everything an output's tags and art will be, and its hash: computed the same way by the worker
 * that writes them and by the coordinator deciding whether an output needs a retag.
 */
export function tagState(input: { entries: TagEntries; writer: TagWriter; id3Version: Id3Version; loudness: boolean; gains?: GainSet;
  art: boolean; cover?: CoverRef; artMaxSize?: number }): { entries: TagEntries; hash: string; gains?: GainSet } {
  // A writer of basic tags only (ffmpeg's) writes no loudness tags.
  const w = tagWriter(input.writer);
  const gains = input.loudness && w.gains !== 'none' ? input.gains ?? {} : undefined;
  const ctx: TagContext = { writer: input.writer, id3Version: input.id3Version, ...(gains ? { gains } : {}) };
  const entries = targetEntries(input.entries, ctx);
  const art = artIdentity(input.art && w.cover ? input.cover : undefined, input.artMaxSize);
  return { entries, hash: tagsHash(entries, ctx, art), ...(gains ? { gains } : {}) };
}

/** A short hash of everything that decides an output's tags and art; a change means "retag". */
export function tagsHash(entries: TagEntries, ctx: Pick<TagContext, 'writer' | 'id3Version'>, art: string): string {
  return createHash('sha256').update(JSON.stringify([ctx.writer, ctx.writer === 'id3v2' ? ctx.id3Version : 0, entries, art])).digest('hex').slice(0, 16);
}

function grouped(entries: TagEntries): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of entries) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

/** "Name (instrument)" -> [instrument, name], the pairs of ID3's musician credits frame. */
function performerPair(v: string): [string, string] {
  const m = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(v);
  return m ? [m[2], m[1]] : ['performer', v];
}

/** ID3v2 frames for an output, following MusicBrainz Picard's ID3 conventions. */
export function id3Frames(entries: TagEntries, version: Id3Version, pictures: Picture[]): Id3Frame[] {
  const g = grouped(entries);
  const frames: Id3Frame[] = [];
  const first = (k: string) => g.get(k)?.[0];
  const numberPair = (n?: string, total?: string) => (n === undefined ? undefined : total && !n.includes('/') ? `${n}/${total}` : n);
  for (const [key, values] of g) {
    const rule = ID3_RULES[key];
    if (!rule) {
      frames.push({ id: 'TXXX', kind: 'txxx', description: key, values });
      continue;
    }
    if ('txxx' in rule) frames.push({ id: 'TXXX', kind: 'txxx', description: rule.txxx, values });
    else if ('frame' in rule) {
      if (version === 3 && rule.v23) {
        // v2.3 has only a year for these; TDAT keeps the day and month of a full date.
        frames.push({ id: rule.v23, kind: 'text', values: [values[0].slice(0, 4)] });
        const d = /^\d{4}-(\d{2})-(\d{2})/.exec(values[0]);
        if (d && rule.v23 === 'TYER') frames.push({ id: 'TDAT', kind: 'text', values: [`${d[2]}${d[1]}`] });
      } else frames.push({ id: rule.frame, kind: 'text', values });
    } else {
      switch (rule.special) {
        case 'TRCK': frames.push({ id: 'TRCK', kind: 'text', values: [numberPair(values[0], first('TRACKTOTAL') ?? first('TOTALTRACKS'))!] }); break;
        case 'TPOS': frames.push({ id: 'TPOS', kind: 'text', values: [numberPair(values[0], first('DISCTOTAL') ?? first('TOTALDISCS'))!] }); break;
        case 'TOTAL': break; // written with the number it counts
        case 'COMM': frames.push({ id: 'COMM', kind: 'lang', description: key === 'COMMENT' ? '' : key.toLowerCase(), text: values.join('\n') }); break;
        case 'USLT': frames.push({ id: 'USLT', kind: 'lang', description: '', text: values.join('\n') }); break;
        case 'UFID': frames.push({ id: 'UFID', kind: 'ufid', owner: 'http://musicbrainz.org', identifier: values[0] }); break;
        case 'TMCL': frames.push({ id: version === 4 ? 'TMCL' : 'IPLS', kind: 'pairs', pairs: values.map(performerPair) }); break;
      }
    }
  }
  // A total with no number (TRACKTOTAL alone) still has a place: TRCK "/N" is not valid, so TXXX.
  for (const [total, number] of [['TRACKTOTAL', 'TRACKNUMBER'], ['TOTALTRACKS', 'TRACKNUMBER'], ['DISCTOTAL', 'DISCNUMBER'], ['TOTALDISCS', 'DISCNUMBER']]) {
    if (!g.has(number) && g.has(total)) frames.push({ id: 'TXXX', kind: 'txxx', description: total, values: g.get(total)! });
  }
  for (const p of pictures) frames.push({ id: 'APIC', kind: 'picture', picture: p });
  return mergeSameFrames(frames);
}

/**
 * ID3v2 allows one text frame per id and one USLT/COMM per language and description; two source keys
 * with the same rule (LABEL and ORGANIZATION, LYRICS and UNSYNCEDLYRICS) are merged into one frame.
 */
function mergeSameFrames(frames: Id3Frame[]): Id3Frame[] {
  const out: Id3Frame[] = [];
  const seen = new Map<string, Id3Frame>();
  for (const f of frames) {
    const key = f.kind === 'text' ? f.id : f.kind === 'lang' ? `${f.id}\0${f.description}` : undefined;
    const prev = key === undefined ? undefined : seen.get(key);
    if (prev?.kind === 'text' && f.kind === 'text') prev.values = [...new Set([...prev.values, ...f.values])];
    else if (prev?.kind === 'lang' && f.kind === 'lang') prev.text = `${prev.text}\n${f.text}`;
    else {
      const copy = { ...f };
      if (key !== undefined) seen.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}
