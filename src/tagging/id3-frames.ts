/**
 * ID3v2 frames for an MP3 output, from its canonical (Vorbis-named) entries, following MusicBrainz
 * Picard's ID3 conventions (the rules are data in fields.ts).
 */
import { ID3_RULES } from './fields.js';
import type { Id3Frame, Id3Version } from './id3v2.js';
import type { Picture } from './picture.js';
import type { TagEntries } from './vorbis-comment.js';

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
  const numberPair = (n?: string, total?: string) =>
    n === undefined ? undefined : total && !n.includes('/') ? `${n}/${total}` : n;
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
        case 'TRCK':
          frames.push({
            id: 'TRCK',
            kind: 'text',
            values: [numberPair(values[0], first('TRACKTOTAL') ?? first('TOTALTRACKS'))!],
          });
          break;
        case 'TPOS':
          frames.push({
            id: 'TPOS',
            kind: 'text',
            values: [numberPair(values[0], first('DISCTOTAL') ?? first('TOTALDISCS'))!],
          });
          break;
        case 'TOTAL':
          break; // written with the number it counts
        case 'COMM':
          frames.push({
            id: 'COMM',
            kind: 'lang',
            description: key === 'COMMENT' ? '' : key.toLowerCase(),
            text: values.join('\n'),
          });
          break;
        case 'USLT':
          frames.push({ id: 'USLT', kind: 'lang', description: '', text: values.join('\n') });
          break;
        case 'UFID':
          frames.push({ id: 'UFID', kind: 'ufid', owner: 'http://musicbrainz.org', identifier: values[0] });
          break;
        case 'TMCL':
          frames.push({ id: version === 4 ? 'TMCL' : 'IPLS', kind: 'pairs', pairs: values.map(performerPair) });
          break;
      }
    }
  }
  // A total with no number (TRACKTOTAL alone) still has a place: TRCK "/N" is not valid, so TXXX.
  for (const [total, number] of [
    ['TRACKTOTAL', 'TRACKNUMBER'],
    ['TOTALTRACKS', 'TRACKNUMBER'],
    ['DISCTOTAL', 'DISCNUMBER'],
    ['TOTALDISCS', 'DISCNUMBER'],
  ]) {
    if (!g.has(number) && g.has(total))
      frames.push({ id: 'TXXX', kind: 'txxx', description: total, values: g.get(total)! });
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
