/**
 * The progress display a person watches on stderr: a bar with outputs and masters done, speed as
 * × realtime, elapsed time, the ETA once it means something, bytes written, and one line per file
 * being encoded now. progressLines() is pure (an event and a width in, lines out); ProgressDisplay
 * redraws them in place.
 *
 * Own renderer rather than cli-progress: the frame is a pure function tested without a terminal,
 * the lines below the bar change in number as jobs start and finish, and the ETA comes smoothed from
 * the library (transcode/eta.ts), where library users get the same value.
 */
import type { ProgressEvent } from '../model.js';

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Bytes in B, kB, MB or GB (powers of 1000, one decimal from kB on). */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** The end of a path, with `…` in front, in at most `width` characters. */
export function tail(path: string, width: number): string {
  if (path.length <= width) return path;
  return `…${path.slice(path.length - Math.max(1, width - 1))}`;
}

const BAR = 24;

export interface ViewOptions {
  columns: number;
  /** At most this many lines of files being encoded. */
  maxActive?: number;
  /** Set once a signal arrived: the run is stopping. */
  stopping?: string;
  /** Shown before each file's path is cut to fit: the source folders, so paths read relative to them. */
  roots?: string[];
}

/** The frame for one progress event: 2 lines, then one per file being encoded now. */
export function progressLines(p: ProgressEvent, o: ViewOptions): string[] {
  const width = Math.max(20, o.columns - 1);
  const frac = p.audioSecondsTotal
    ? Math.min(1, p.audioSecondsDone / p.audioSecondsTotal)
    : p.outputsTotal
      ? p.outputsDone / p.outputsTotal
      : 0;
  const fill = Math.round(frac * BAR);
  const verb = o.stopping ? 'Stopping' : p.phase === 'retag' ? 'Retagging' : 'Encoding';
  const head =
    `${verb.padEnd(9)} [${'#'.repeat(fill)}${'.'.repeat(BAR - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ` +
    `${p.outputsDone}/${p.outputsTotal} outputs  ${p.sourcesDone}/${p.sourcesTotal} masters`;
  const facts = [
    p.phase === 'encode' && p.audioSecondsDone > 0 ? `${p.speed.toFixed(1)}x realtime` : undefined,
    `elapsed ${clock(p.elapsedSeconds)}`,
    p.etaSeconds !== undefined && !o.stopping ? `ETA ${clock(p.etaSeconds)}` : undefined,
    `${bytes(p.bytesWritten)} written`,
  ].filter((x) => x !== undefined);
  const second = o.stopping ? `          ${o.stopping}` : `          ${facts.join('   ')}`;
  const shown = p.active.slice(0, o.maxActive ?? 4);
  const files = shown.map((a) => {
    const at =
      p.phase === 'retag' ? 'tags' : a.duration ? `${clock(a.seconds)}/${clock(a.duration)}` : clock(a.seconds);
    const right = `  ${a.presets.join(', ')}  ${at}`;
    return `  > ${tail(relative(a.source, o.roots), Math.max(10, width - 4 - right.length))}${right}`;
  });
  if (p.active.length > shown.length) files.push(`  … and ${p.active.length - shown.length} more`);
  return [head, second, ...files].map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

function relative(path: string, roots: string[] = []): string {
  const root = roots.find((r) => path.startsWith(r.endsWith('/') ? r : `${r}/`));
  return root ? path.slice(root.length).replace(/^\//, '') : path;
}

/** Redraws the frame in place on a terminal stream; call done() before printing anything else. */
export class ProgressDisplay {
  private lines = 0;
  private last?: ProgressEvent;
  private stopping?: string;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly roots: string[] = [],
  ) {}

  update(p: ProgressEvent): void {
    this.last = p;
    const rows = this.out.rows || 24;
    const frame = progressLines(p, {
      columns: this.out.columns || 80,
      maxActive: Math.max(1, Math.min(8, rows - 4)),
      roots: this.roots,
      ...(this.stopping ? { stopping: this.stopping } : {}),
    });
    this.out.write(`${this.clear()}${frame.join('\n')}`);
    this.lines = frame.length;
  }

  /** A signal arrived: the frame says so until the run ends. */
  stop(message: string): void {
    this.stopping = message;
    if (this.last) this.update(this.last);
  }

  done(): void {
    if (this.lines) this.out.write(this.clear());
    this.lines = 0;
  }

  /** Back to the first line of the frame, erased down to the end of the screen. */
  private clear(): string {
    if (!this.lines) return '';
    return `\r${this.lines > 1 ? `\x1b[${this.lines - 1}A` : ''}\x1b[J`;
  }
}
