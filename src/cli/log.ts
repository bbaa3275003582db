/**
 * What cron sees. Off a terminal or with --json every line on stderr is pino NDJSON, and every
 * run ends with exactly one `"event":"summary"` line: the library writes it for a run that
 * finished, this module for one stopped by an error or a second signal.
 */
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../run/options.js';

/** A run-stopping problem: its stable code, message and the exit code it maps to. */
export interface Stop {
  code: string;
  message: string;
  exitCode: number;
  file?: string;
  /** An internal bug: logged with its stack. */
  error?: Error;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const isSummary = (o: object) => (o as { event?: unknown }).event === 'summary';

/** True when stderr gets NDJSON: --json anywhere before `--`, or stderr is not a terminal. */
export function wantsStructured(argv: string[], stderr: { isTTY?: boolean }): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json') || !stderr.isTTY;
}

/** The CLI's stderr: NDJSON through one synchronous pino destination, or plain text for a person. */
export class CliLog {
  private out?: Pino;
  private summaries = 0;

  constructor(
    private readonly stderr: NodeJS.WritableStream & { fd?: number },
    readonly structured: boolean,
  ) {
    // Synchronous writes: a cron job killed mid-run, or one that exits at once on a second
    // signal, still leaves complete log lines.
    if (structured) {
      this.out = pino(
        { level: 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
        pino.destination({ dest: stderr.fd ?? 2, sync: true }),
      );
    }
  }

  /**
   * Append every NDJSON line to `path` as well (--log-file): created if missing, never truncated, written
   * synchronously like stderr. On a terminal the screen stays as it is and only the file gets NDJSON.
   */
  toFile(path: string): void {
    const file = pino.destination({ dest: path, append: true, mkdir: true, sync: true });
    const streams: pino.StreamEntry[] = [{ stream: file, level: 'debug' }];
    if (this.structured) streams.push({ stream: pino.destination({ dest: this.stderr.fd ?? 2, sync: true }) });
    this.out = pino(
      { level: 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
      pino.multistream(streams),
    );
  }

  /** The logger the library gets. --quiet keeps warnings, errors and the summary line; silent on a terminal. */
  forRun(quiet = false): Logger {
    const out = this.out;
    if (!out) return silent;
    const seen = (o: object) => {
      if (isSummary(o)) this.summaries++;
    };
    return {
      debug: (o, m) => out.debug(o, m),
      info: (o, m) => {
        seen(o);
        if (!quiet || isSummary(o)) out.info(o, m);
      },
      warn: (o, m) => {
        seen(o);
        out.warn(o, m);
      },
      error: (o, m) => {
        seen(o);
        out.error(o, m);
      },
    };
  }

  /** Something the user should know while the run goes on (a first signal). */
  notice(fields: object, text: string): void {
    this.out?.warn(fields, text);
    if (!this.structured) this.stderr.write(`\naudiofan: ${text}\n`);
  }

  /** The run stops: one line with the code (and the stack of a bug), then the summary unless one was written. */
  stop(s: Stop): void {
    const out = this.out;
    if (!this.structured) {
      this.stderr.write(
        s.error
          ? `audiofan: internal error: ${s.error.stack ?? s.message}\n`
          : `audiofan: error [${s.code}]: ${s.message}\n`,
      );
    }
    if (!out) return;
    out.fatal(
      { event: 'error', code: s.code, ...(s.file ? { file: s.file } : {}), ...(s.error ? { err: s.error } : {}) },
      s.message,
    );
    if (this.summaries) return;
    this.summaries++;
    out.info({ event: 'summary', exitCode: s.exitCode, code: s.code, error: s.message }, 'run stopped');
  }
}
