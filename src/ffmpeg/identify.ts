/**
 * What ffmpeg itself says a file is: `ffmpeg -i <file>` with no output prints the container, the duration, each
 * stream's codec and format, and the tags it read, then exits. This is the decoder that will decode the file, so it
 * (not a tag parser's guess) decides whether a file is a lossless master. ffprobe is not used: the npm-shipped
 * builds (ffmpeg-static, @ffmpeg-installer) come without it.
 */
import { execFile } from 'node:child_process';

/** One stream as ffmpeg describes it. */
export interface StreamInfo {
  index: number;
  type: 'audio' | 'video' | 'other';
  /** ffmpeg's codec name: flac, pcm_s24le, alac, dsd_lsbf_planar, mp3… ('none' when it has no such codec). */
  codec: string;
  /** What ffmpeg prints in parentheses after the codec: a profile ("DTS-HD MA") or the codec tag ("sowt / 0x…"). */
  detail?: string;
  sampleRate?: number;
  channels?: number;
  /** Channel layout as ffmpeg names it ("stereo", "5.1(side)", "1 channels (FL)"). */
  layout?: string;
  /** Decoded sample format ("s16", "s32", "flt", "dbl", "u8", "fltp"…). */
  sampleFormat?: string;
  /** Bits that carry the signal when ffmpeg says so ("s32 (24 bit)"). */
  bits?: number;
  /** A cover picture stored as a video stream. */
  attachedPic: boolean;
  tags: Record<string, string>;
}

export interface MediaInfo {
  /** Demuxer names ("wav", "mov,mp4,m4a,3gp,3g2,mj2"). */
  format: string;
  /** Seconds, undefined when ffmpeg gives none ("N/A"). */
  duration?: number;
  /** ffmpeg guessed the duration from the bitrate (exact for PCM, a guess for anything compressed). */
  durationEstimated: boolean;
  /** File-level tags, keys as ffmpeg prints them (lower case for most containers). */
  tags: Record<string, string>;
  streams: StreamInfo[];
}

/** Why ffmpeg could not say what a file is. */
export class IdentifyError extends Error {
  constructor(
    readonly kind: 'invalid' | 'timeout' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'IdentifyError';
  }
}

/** Default time ffmpeg gets to open a file: it reads headers only, but a slow network share may stall it. */
export const IDENTIFY_TIMEOUT_MS = 30_000;

/** Ask ffmpeg what `path` is. Rejects with an IdentifyError naming the file and what ffmpeg said. */
export function identifyMedia(ffmpegPath: string, path: string, timeoutMs = IDENTIFY_TIMEOUT_MS): Promise<MediaInfo> {
  return new Promise((resolve, reject) => {
    // No output file: ffmpeg prints what it found and exits 1 ("At least one output file must be specified").
    // `file:` keeps a name like "http:x.flac" or "-x.flac" a file name.
    const args = ['-nostdin', '-hide_banner', '-i', `file:${path}`];
    execFile(
      ffmpegPath,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, _stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: string }) | null;
        if (e?.killed) {
          reject(new IdentifyError('timeout', `ffmpeg did not identify it within ${timeoutMs / 1000} s`));
          return;
        }
        if (e?.signal) {
          reject(new IdentifyError('failed', `ffmpeg was killed by ${e.signal} while identifying it`));
          return;
        }
        if (e && typeof e.code === 'string') {
          reject(new IdentifyError('failed', `ffmpeg (${ffmpegPath}) could not be started: ${e.code}`));
          return;
        }
        // A name may hold a line break or "', from '": ffmpeg's lines are read with it taken out.
        const info = parseInputDump(stderr.split(path).join('<file>'));
        if (info) resolve(info);
        else reject(new IdentifyError('invalid', `ffmpeg cannot read it: ${whyNot(stderr, path)}`));
      },
    );
  });
}

/** ffmpeg's reason for refusing a file: its line naming the file ("file:x: Invalid data found…"), else its last. */
function whyNot(stderr: string, path: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() && !/output file must be specified/.test(l));
  const named = lines.find((l) => l.includes(path));
  const line = named ? named.slice(named.lastIndexOf(path) + path.length).replace(/^:\s*/, '') : lines.at(-1);
  return line?.trim() || 'it printed nothing';
}

const STREAM = /^\s*Stream #0:(\d+)[^:]*: (Audio|Video|Subtitle|Data|Attachment): (.*)$/;
const KEY_VALUE = /^(\s+)([^:]*?)\s*: (.*)$/;

/** Parse what `ffmpeg -i` prints about input #0; undefined when it printed no input at all. */
export function parseInputDump(stderr: string): MediaInfo | undefined {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => /^Input #0, /.test(l));
  if (start < 0) return undefined;
  const info: MediaInfo = {
    format: /^Input #0, (.*), from /.exec(lines[start])?.[1] ?? '',
    durationEstimated: lines.some((l) => /Estimating duration from bitrate/.test(l)),
    tags: {},
    streams: [],
  };
  let tags: Record<string, string> | undefined;
  let pastHeader = false;
  let lastKey: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level message ends input #0's description
    const stream = STREAM.exec(line);
    if (stream) {
      info.streams.push(parseStream(+stream[1], stream[2], stream[3]));
      tags = undefined;
      continue;
    }
    const d = /^\s*Duration: ([^,]+)/.exec(line);
    if (d) {
      const t = seconds(d[1]);
      if (t !== undefined) info.duration = t;
      pastHeader = true;
      tags = undefined;
      continue;
    }
    if (/^\s*Chapters?\b/.test(line)) {
      tags = undefined; // chapter titles are not the track's tags
      continue;
    }
    if (/^\s*Metadata:\s*$/.test(line)) {
      tags = info.streams.at(-1)?.tags ?? (pastHeader ? undefined : info.tags);
      lastKey = undefined;
      continue;
    }
    const kv = KEY_VALUE.exec(line);
    if (!tags || !kv) continue;
    // A value with line breaks continues on lines with an empty key.
    if (kv[2] === '' && lastKey !== undefined) tags[lastKey] += `\n${kv[3]}`;
    else if (kv[2] !== '') {
      lastKey = kv[2];
      tags[lastKey] = tags[lastKey] === undefined ? kv[3] : `${tags[lastKey]};${kv[3]}`;
    }
  }
  return info;
}

function seconds(hms: string): number | undefined {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(hms.trim());
  return m ? +m[1] * 3600 + +m[2] * 60 + +m[3] : undefined;
}

/** Channel counts of the layouts ffmpeg names (4.1 to 6.1); "N channels" and "FL+FR+…" are counted directly. */
const LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  '2.1': 3,
  '3.0': 3,
  '3.0(back)': 3,
  '4.0': 4,
  quad: 4,
  'quad(side)': 4,
  '3.1': 4,
  '5.0': 5,
  '5.0(side)': 5,
  '4.1': 5,
  '5.1': 6,
  '5.1(side)': 6,
  '6.0': 6,
  '6.0(front)': 6,
  hexagonal: 6,
  '6.1': 7,
  '6.1(back)': 7,
  '6.1(front)': 7,
  '7.0': 7,
  '7.0(front)': 7,
  '7.1': 8,
  '7.1(wide)': 8,
  '7.1(wide-side)': 8,
  '7.1(top)': 8,
  octagonal: 8,
  hexadecagonal: 16,
  '22.2': 24,
};

function channelCount(layout: string): number | undefined {
  const n = /^(\d+) channels\b/.exec(layout);
  if (n) return +n[1];
  if (LAYOUTS[layout] !== undefined) return LAYOUTS[layout];
  return /^[A-Z]+(\+[A-Z]+)*$/.test(layout) ? layout.split('+').length : undefined;
}

/** Split "a (b, c), d, e" at top-level commas. */
function fields(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseStream(index: number, kind: string, rest: string): StreamInfo {
  const f = fields(rest);
  const head = /^(\S+)(?: \((.*)\))?/.exec(f[0] ?? '') ?? [];
  const s: StreamInfo = {
    index,
    type: kind === 'Audio' ? 'audio' : kind === 'Video' ? 'video' : 'other',
    codec: head[1] ?? 'none',
    ...(head[2] ? { detail: head[2] } : {}),
    attachedPic: /\(attached pic\)/.test(rest),
    tags: {},
  };
  if (s.type !== 'audio') return s;
  // Each field is known by its form, whatever is missing before it ("flac, 0 channels" has no rate).
  for (const x of f.slice(1)) {
    const hz = /^(\d+) Hz$/.exec(x);
    const fmt = /^(u8|s16|s32|s64|flt|dbl)p?(?: \((\d+) bit\))?(?: \(.*\))?$/.exec(x);
    if (hz) s.sampleRate = +hz[1];
    else if (fmt && s.sampleFormat === undefined) {
      s.sampleFormat = x.split(' ')[0];
      if (fmt[2]) s.bits = +fmt[2];
    } else if (s.layout === undefined && channelCount(x) !== undefined) {
      s.layout = x;
      s.channels = channelCount(x);
    }
  }
  return s;
}
