/**
 * Output path layouts: `{albumartist}/{album}/{disc}-{track:02} {title}`. Fields are tag names,
 * `:0N` pads numbers, `{a|b|Literal}` falls back left to right, the last alternative being
 * literal text when it is not a field. "/" in the template makes folders; "/" inside a tag value
 * never does. Every component is made safe for the filesystem profile, so a tag value can never
 * move a file outside the output folder.
 */
import { AudiofanError } from '../errors.js';
import { safeComponent, type FsProfile } from './fs-profile.js';
import type { TagEntries } from '../tagging/vorbis-comment.js';

/** Friendly field names -> canonical tag keys. Any other name is looked up as a tag key. */
const ALIASES: Record<string, string> = {
  title: 'TITLE',
  artist: 'ARTIST',
  album: 'ALBUM',
  albumartist: 'ALBUMARTIST',
  track: 'TRACKNUMBER',
  tracknumber: 'TRACKNUMBER',
  tracktotal: 'TRACKTOTAL',
  disc: 'DISCNUMBER',
  discnumber: 'DISCNUMBER',
  disctotal: 'DISCTOTAL',
  date: 'DATE',
  genre: 'GENRE',
  composer: 'COMPOSER',
  label: 'LABEL',
  originaldate: 'ORIGINALDATE',
  catalognumber: 'CATALOGNUMBER',
};
/** Derived fields. */
const DERIVED: Record<string, (get: (k: string) => string | undefined) => string | undefined> = {
  year: (get) => /^\d{4}/.exec(get('DATE') ?? '')?.[0],
  originalyear: (get) => /^\d{4}/.exec(get('ORIGINALDATE') ?? get('DATE') ?? '')?.[0],
};

interface Part {
  text?: string;
  alternatives?: string[];
  pad?: number;
}

/** Parse a template once; throws E_USAGE with the position of a syntax error. */
export function parseLayout(template: string): Part[][] {
  if (!template.trim()) throw new AudiofanError('E_USAGE', 'layout: the template is empty');
  return template
    .split('/')
    .filter((c, i, all) => c !== '' || (i > 0 && i < all.length - 1))
    .map((component) => {
      const parts: Part[] = [];
      const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
      for (let m = re.exec(component); m; m = re.exec(component)) {
        if (m[3]) throw new AudiofanError('E_USAGE', `layout "${template}": unbalanced "${m[3]}" in "${component}"`);
        if (m[2]) {
          parts.push({ text: m[2] });
          continue;
        }
        const [spec, padSpec] = m[1].split(':');
        if (padSpec !== undefined && !/^0?\d+$/.test(padSpec))
          throw new AudiofanError('E_USAGE', `layout "${template}": bad padding ":${padSpec}" (use e.g. {track:02})`);
        const alternatives = spec.split('|').map((a) => a.trim());
        if (!alternatives[0]) throw new AudiofanError('E_USAGE', `layout "${template}": empty field {}`);
        parts.push({ alternatives, ...(padSpec ? { pad: Number(padSpec) } : {}) });
      }
      return parts;
    });
}

function tagValue(name: string, tags: TagEntries, isLast: boolean): string | undefined {
  const get = (k: string) => {
    const all = tags
      .filter(([key]) => key === k)
      .map(([, v]) => v)
      .filter((v) => v.trim() !== '');
    return all.length ? all.join(', ') : undefined;
  };
  const lower = name.toLowerCase();
  if (DERIVED[lower]) return DERIVED[lower](get);
  const key = ALIASES[lower] ?? (/^[a-z0-9_]+$/i.test(name) ? name.toUpperCase() : undefined);
  const v = key ? get(key) : undefined;
  if (v !== undefined) return lower === 'track' || lower === 'disc' ? v.split('/')[0] : v;
  // The last alternative is literal text unless it names a known field.
  return isLast && !ALIASES[lower] && !DERIVED[lower] ? name : undefined;
}

/**
 * Render the layout for one source; `ext` (e.g. "mp3") is appended to the last component, after `suffix` (e.g.
 * " (wav)", see siblings.ts), which is kept whole even when the name must be shortened.
 */
export function renderLayout(layout: Part[][], tags: TagEntries, profile: FsProfile, ext: string, suffix = ''): string {
  return layout
    .map((parts, ci) => {
      const text = parts
        .map((p) => {
          if (p.text !== undefined) return p.text;
          const alts = p.alternatives!;
          let v: string | undefined;
          for (let i = 0; i < alts.length && v === undefined; i++)
            v = tagValue(alts[i], tags, i === alts.length - 1 && alts.length > 1);
          v ??= '';
          return p.pad && /^\d+$/.test(v) ? v.padStart(p.pad, '0') : v;
        })
        .join('');
      return safeComponent(text.trim(), profile, ci === layout.length - 1 ? `${suffix}.${ext}` : '');
    })
    .join('/');
}

/** The default: the source's path relative to its root, each component made safe, new extension. */
export function mirrorPath(rel: string, profile: FsProfile, ext: string, suffix = ''): string {
  const parts = rel.split('/');
  const file = parts.pop()!;
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  return [...parts.map((p) => safeComponent(p, profile)), safeComponent(stem, profile, `${suffix}.${ext}`)].join('/');
}
