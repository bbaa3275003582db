/**
 * A pseudo-terminal for the e2e tier, and just enough of a terminal to read what it shows. `script`
 * (util-linux) gives the CLI a real pty (Node has none built in, and native pty addons may not build);
 * Screen replays what was written (text, CR, LF, cursor up, erase line, erase down) into the rows a
 * person would see, and keeps a copy each time a frame is redrawn.
 */
import { spawn } from 'node:child_process';

export const COLUMNS = 100;
export const ROWS = 30;

export class Screen {
  rows: string[] = [''];
  private y = 0;
  private x = 0;
  /** The screen as it was just before each redraw (erase-down): every progress frame shown. */
  readonly frames: string[] = [];

  constructor(readonly columns = COLUMNS) {}

  write(raw: string): this {
    const tokens = raw.match(/\x1b\[\d*[A-Za-z]|\r|\n|[^\x1b\r\n]/gu) ?? [];
    for (const t of tokens) {
      if (t === '\r') this.x = 0;
      else if (t === '\n') this.moveTo(this.y + 1);
      else if (t.startsWith('\x1b[')) this.escape(t);
      else this.put(t);
    }
    return this;
  }

  /** What is on the screen now, trailing blanks trimmed. */
  text(): string {
    return this.rows
      .map((r) => r.trimEnd())
      .join('\n')
      .trimEnd();
  }

  private escape(t: string): void {
    const n = Number(t.slice(2, -1) || '1');
    const op = t.at(-1);
    if (op === 'A') this.y = Math.max(0, this.y - n);
    else if (op === 'K') this.rows[this.y] = this.rows[this.y].slice(0, this.x);
    else if (op === 'J') {
      this.frames.push(this.text());
      this.rows[this.y] = this.rows[this.y].slice(0, this.x);
      this.rows.length = this.y + 1;
    }
  }

  private put(ch: string): void {
    if (this.x >= this.columns) {
      this.moveTo(this.y + 1);
      this.x = 0;
    }
    const row = this.rows[this.y].padEnd(this.x);
    this.rows[this.y] = row.slice(0, this.x) + ch + row.slice(this.x + 1);
    this.x++;
  }

  private moveTo(y: number): void {
    this.y = y;
    while (this.rows.length <= y) this.rows.push('');
  }
}

export interface PtyRun {
  code: number | null;
  raw: string;
  screen: Screen;
}

const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Run argv in a pty of COLUMNS × ROWS. `interrupt`: when the output so far matches it, type Ctrl-C
 * (the terminal sends SIGINT to the program, as for a person).
 */
export function inPty(argv: string[], o: { env?: NodeJS.ProcessEnv; interrupt?: RegExp; cwd?: string } = {}) {
  const cmd = `stty cols ${COLUMNS} rows ${ROWS}; exec ${argv.map(q).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    env: { ...process.env, ...o.env },
    cwd: o.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let typed = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    raw += d;
    if (o.interrupt && !typed && o.interrupt.test(raw)) {
      typed = true;
      child.stdin.write('\x03');
    }
  });
  return new Promise<PtyRun>((resolve) => {
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, raw, screen: new Screen().write(raw) });
    });
  });
}
