/**
 * The library as the server shows it: the sources scanned and probed (sources/), grouped into albums,
 * each album and track known by an opaque id (a hash of its place in the library, never a path).
 * A rescan reuses what it knew of unchanged files, so only new or changed masters are opened again.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fingerprintAll } from '../sources/fingerprint.js';
import { probeAll, toPlanned } from '../sources/probe-all.js';
import { scanSources, statOrUndefined } from '../sources/scan.js';
import { artIdentity } from '../sources/art.js';
import type { Logger, ManifestSource, PlannedSource } from '../model.js';

export interface Track {
  id: string;
  albumId: string;
  source: PlannedSource;
  title: string;
  artist: string;
  trackNo?: number;
  discNo?: number;
  duration?: number;
  /** The master's format for people: "FLAC 24/96", "PCM 16/44.1". */
  format: string;
  /** What the master's outputs are made from: audio fingerprint, tags and cover. Changes when the master does. */
  identity: string;
}

export interface Album {
  id: string;
  title: string;
  artist: string;
  year?: string;
  genre?: string;
  tracks: Track[];
  /** The track whose cover stands for the album. */
  coverTrack?: Track;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);

/** The first value of a tag, by canonical name, any case. */
export function tag(s: Pick<PlannedSource, 'tags'>, name: string): string | undefined {
  const n = name.toUpperCase();
  return s.tags.find(([k]) => k.toUpperCase() === n)?.[1];
}

const num = (v: string | undefined) => {
  const n = Number.parseInt(v ?? '', 10);
  return Number.isFinite(n) ? n : undefined;
};

function formatOf(s: PlannedSource): string {
  const codec = /^pcm/i.test(s.codec) ? 'PCM' : s.codec.replace(/^MPEG-4\/?/, '').toUpperCase();
  const rate = `${s.sampleRate / 1000}`.replace(/\.0+$/, '');
  return s.bitsPerSample ? `${codec} ${s.bitsPerSample}/${rate}` : `${codec} ${rate} kHz`;
}

function toTrack(s: PlannedSource, albumId: string): Track {
  const fileTitle = s.rel
    .split(sep)
    .pop()!
    .replace(/\.[^.]*$/, '');
  const art = artIdentity(s.cover, undefined);
  return {
    id: hash('track', s.key),
    albumId,
    source: s,
    title: tag(s, 'TITLE') ?? fileTitle,
    artist: tag(s, 'ARTIST') ?? tag(s, 'ALBUMARTIST') ?? 'Unknown Artist',
    trackNo: num(tag(s, 'TRACKNUMBER')),
    discNo: num(tag(s, 'DISCNUMBER')),
    ...(s.duration !== undefined ? { duration: s.duration } : {}),
    format: formatOf(s),
    // No fingerprint (it could not be read): size and mtime stand in, so any change still counts.
    identity: hash(s.fingerprint ?? `stat:${s.size}:${s.mtimeMs}`, JSON.stringify(s.tags), art),
  };
}

/** Albums: tracks sharing a folder, album and album artist. */
function groupAlbums(sources: PlannedSource[]): Album[] {
  const albums = new Map<string, Album>();
  for (const s of sources) {
    const title = tag(s, 'ALBUM') ?? dirname(s.rel).split(sep).pop() ?? 'Unknown Album';
    const artist = tag(s, 'ALBUMARTIST') ?? tag(s, 'ARTIST') ?? 'Unknown Artist';
    const folder = `${s.key.split('\0')[0]}\0${dirname(s.rel)}`;
    const id = hash('album', folder, artist, title);
    let a = albums.get(id);
    if (!a) {
      const date = tag(s, 'DATE') ?? tag(s, 'YEAR');
      a = { id, title, artist, tracks: [], ...(date ? { year: date.slice(0, 4) } : {}) };
      const genre = tag(s, 'GENRE');
      if (genre) a.genre = genre;
      albums.set(id, a);
    }
    const t = toTrack(s, id);
    a.tracks.push(t);
    if (!a.coverTrack && s.cover) a.coverTrack = t;
  }
  const order = (t: Track) => (t.discNo ?? 1) * 10_000 + (t.trackNo ?? 9_999);
  for (const a of albums.values())
    a.tracks.sort((x, y) => order(x) - order(y) || x.source.rel.localeCompare(y.source.rel));
  return [...albums.values()].sort((x, y) => x.artist.localeCompare(y.artist) || x.title.localeCompare(y.title));
}

/** A source as the probe's reuse step reads a previous record. */
function asRecord(s: PlannedSource): ManifestSource {
  const { root, rel, key: _k, warnings: _w, ...facts } = s;
  return { ...facts, root, rel, status: 'ok', outputs: [] };
}

export class Library {
  albums: Album[] = [];
  private tracks = new Map<string, Track>();
  private byId = new Map<string, Album>();
  /** Problems of the last scan, for the log. */
  problems: string[] = [];

  constructor(
    private readonly roots: string[],
    private readonly ffmpegPath: string,
    private readonly lanes: number,
    private readonly log: Logger,
  ) {}

  album(id: string): Album | undefined {
    return this.byId.get(id);
  }

  track(id: string): Track | undefined {
    return this.tracks.get(id);
  }

  allTracks(): Track[] {
    return [...this.tracks.values()];
  }

  /** Scan and probe again; returns the tracks whose master changed (their outputs are stale) or is gone. */
  async rescan(): Promise<{ changed: Track[]; gone: Track[] }> {
    const scan = scanSources(this.roots);
    const previous = new Map([...this.tracks.values()].map((t) => [t.source.key, asRecord(t.source)]));
    const probed = await probeAll(scan.files, previous, { ffmpegPath: this.ffmpegPath, concurrency: 8 });
    const sources = this.contained(probed.flatMap((p) => toPlanned(p) ?? []));
    await fingerprintAll(sources, this.ffmpegPath, this.lanes, this.log);
    const albums = groupAlbums(sources);
    const before = this.tracks;
    this.albums = albums;
    this.byId = new Map(albums.map((a) => [a.id, a]));
    this.tracks = new Map(albums.flatMap((a) => a.tracks.map((t) => [t.id, t] as const)));
    this.problems = [
      ...scan.problems.map((p) => `${p.path}: ${p.reason}`),
      ...probed.flatMap((p) => (p.result.kind === 'failed' ? [p.result.message] : [])),
    ];
    const changed = [...before.values()].filter((t) => {
      const now = this.tracks.get(t.id);
      return now && now.identity !== t.identity;
    });
    const gone = [...before.values()].filter((t) => !this.tracks.has(t.id));
    this.log.info(
      { event: 'scan', albums: albums.length, tracks: this.tracks.size, changed: changed.length, gone: gone.length },
      `library: ${albums.length} albums, ${this.tracks.size} tracks`,
    );
    return { changed, gone };
  }

  /**
   * Only what really lies inside a source folder is served: a linked file (or folder image) that leads
   * elsewhere is left out (with a warning), and its cover dropped, so a link can never publish another file.
   */
  private contained(sources: PlannedSource[]): PlannedSource[] {
    const roots = this.roots.map((r) => realOrUndefined(r)).filter((r): r is string => !!r);
    const inside = (p: string) => {
      const real = realOrUndefined(p);
      return !!real && roots.some((r) => real.startsWith(r.endsWith(sep) ? r : r + sep));
    };
    return sources.flatMap((s) => {
      if (!inside(s.path)) {
        this.log.warn({ event: 'scan', source: s.path }, `${s.path}: leads outside the source folders; not served`);
        return [];
      }
      if (s.cover?.from === 'folder' && !inside(s.cover.path)) {
        const { cover: _c, ...rest } = s;
        return [rest];
      }
      return [s];
    });
  }

  /** Whether the master on disk still is the one probed (size and mtime), checked before each encode. */
  unchanged(t: Track): boolean {
    const st = statOrUndefined(t.source.path);
    return !!st && st.size === t.source.size && st.mtimeMs === t.source.mtimeMs;
  }
}

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
