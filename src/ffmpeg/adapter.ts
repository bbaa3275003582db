/**
 * The one adapter around ffmpeg. Nothing else imports fluent-ffmpeg (archived upstream), so
 * replacing it touches this file only. Every argument is one argv element; no shell is used.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from 'fluent-ffmpeg';
import { AudiofanError } from '../errors.js';

const execFileP = promisify(execFile);

/** What a binary can do, read once per path. */
export interface FfmpegInfo {
  path: string;
  /** e.g. "4.1", "5.1.9-0+deb12u1", "6.1.1" (the word after "ffmpeg version"). */
  version: string;
  encoders: Set<string>;
  filters: Set<string>;
  muxers: Set<string>;
  /** Built with libsoxr (the high-quality resampler presets use). */
  soxr: boolean;
  /** Its FLAC encoder writes 32-bit samples (ffmpeg 6.0 and later); 4.1 and 5.1 write 24 at most. */
  flac32?: boolean;
}

const infoCache = new Map<string, Promise<FfmpegInfo>>();

function names(listing: string, pattern: RegExp): Set<string> {
  const out = new Set<string>();
  for (const line of listing.split('\n')) {
    const m = pattern.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}

/** A real ffmpeg answers in well under a second; a binary that waits for input must not hang the run. */
const INSPECT_TIMEOUT_MS = 30_000;

/** What a failed `ffmpeg -hide_banner <flag>` said, for a message a person can act on. */
function describeFailure(path: string, flag: string, e: unknown): string {
  const x = e as NodeJS.ErrnoException & {
    stderr?: string;
    stdout?: string;
    signal?: string;
    killed?: boolean;
    code?: number | string;
  };
  const said = `${x.stderr ?? ''}${x.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
  const how = x.killed
    ? `did not answer within ${INSPECT_TIMEOUT_MS / 1000} s`
    : typeof x.code === 'string'
      ? `could not be started (${x.code})`
      : x.signal
        ? `was killed by ${x.signal}`
        : `exited with code ${String(x.code)}`;
  return `\`${path} -hide_banner ${flag}\` ${how}${said ? `; it said: ${said}` : ' and printed nothing'}`;
}

/**
 * Ask a binary its version, encoders, filters and muxers. A binary that fails, hangs or does not answer
 * like ffmpeg is E_FFMPEG_UNUSABLE naming it and what it said (never a raw child-process error).
 */
export function inspectFfmpeg(path: string): Promise<FfmpegInfo> {
  let p = infoCache.get(path);
  if (!p) {
    p = (async () => {
      const run = async (flag: string) => {
        try {
          return (
            await execFileP(path, ['-hide_banner', flag], {
              maxBuffer: 8 << 20,
              timeout: INSPECT_TIMEOUT_MS,
              killSignal: 'SIGKILL',
            })
          ).stdout;
        } catch (e) {
          throw new AudiofanError(
            'E_FFMPEG_UNUSABLE',
            `${path} is not a usable ffmpeg: ${describeFailure(path, flag, e)}`,
            { file: path, cause: e },
          );
        }
      };
      // Run at once (a no-op run waits on this), but report -version's failure first: it says the most.
      const runs = ['-version', '-encoders', '-filters', '-muxers'].map(run);
      for (const r of runs) r.catch(() => {});
      const version = await runs[0];
      const v = /ffmpeg version (\S+)/.exec(version)?.[1];
      if (!v) {
        const said = version.trim().split('\n')[0]?.slice(0, 200);
        throw new AudiofanError(
          'E_FFMPEG_UNUSABLE',
          `${path} is not ffmpeg: \`${path} -hide_banner -version\` ` +
            (said ? `answered "${said}", not "ffmpeg version ..."` : 'printed nothing'),
          { file: path },
        );
      }
      const [[encoders, filters, muxers], flac32] = await Promise.all([Promise.all(runs.slice(1)), writesFlac32(path)]);
      // Versions like "N-47683-g0e8eb07980-static" (git builds) name no release; the copyright year helps a reader.
      return {
        path,
        version: v,
        encoders: names(encoders, /^\s[A-Z.]{6}\s+(\S+)/),
        filters: names(filters, /^\s[A-Z.]{2,3}\s+(\S+)\s/),
        muxers: names(muxers, /^\s[ D]E\s+(\S+)/),
        soxr: version.includes('--enable-libsoxr'),
        flac32,
      };
    })();
    p.catch(() => infoCache.delete(path));
    infoCache.set(path, p);
  }
  return p;
}

/**
 * Does this ffmpeg write 32-bit FLAC? Asked by doing it (version strings of git builds say nothing): a few
 * samples encoded to stdout, and the depth its STREAMINFO declares (4.1 and 5.1 say 24, with a warning).
 */
async function writesFlac32(path: string): Promise<boolean> {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono'];
  args.push(
    '-t',
    '0.01',
    '-c:a',
    'flac',
    '-sample_fmt',
    's32',
    '-bits_per_raw_sample',
    '32',
    '-strict',
    'experimental',
  );
  try {
    const { stdout } = await execFileP(path, [...args, '-f', 'flac', 'pipe:1'], {
      encoding: 'buffer',
      timeout: INSPECT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    // "fLaC", the STREAMINFO block header, then depth-1 in 5 bits of bytes 20-21.
    return (
      stdout.length >= 42 && stdout.toString('latin1', 0, 4) === 'fLaC' && ((stdout.readUInt32BE(18) >>> 4) & 31) === 31
    );
  } catch {
    return false;
  }
}

/** One ffmpeg run: one input decoded once, feeding several outputs. */
export interface CommandSpec {
  input: string;
  /** Options for the input (after audiofan's own). */
  inputArgs?: string[];
  outputs: { target: string; args: string[] }[];
  /**
   * A directory to create (it must not exist yet) for ffmpeg's log, removed again when ffmpeg exits. With it,
   * ffmpeg writes its log to a file there (-report) and only progress and warnings come through the pipe.
   * Why: the loudness meter logs a line every 100 ms of audio, and node pays about 40 µs of CPU for each pipe
   * read: 0.3 s for a 9-minute track, against a few ms to read the file once at the end.
   */
  logDir?: string;
}

function command(ffmpegPath: string, spec: CommandSpec, logDir: string | undefined): ffmpeg.FfmpegCommand {
  // -nostdin: a cron job or worker must never block on, or eat, the terminal.
  // verbose: ffmpeg's closing stats then count the samples it decoded, which proves (for free)
  // how much audio there really was; an extra astats branch cost ~17% of the run. With a log directory those
  // lines go to the report (which -report writes at debug level into the working directory) and stderr is
  // info; "level+" tags each line with its level, so the report can be cut back to what verbose prints.
  // -y is explicit: fluent-ffmpeg adds it only for targets it takes for plain files, not file: URLs.
  const logging = logDir ? ['-loglevel', 'level+info', '-report'] : ['-loglevel', 'verbose'];
  const cmd = ffmpeg({ stdoutLines: 60, ...(logDir ? { cwd: logDir } : {}) })
    .input(spec.input)
    .inputOptions(['-nostdin', '-hide_banner', ...logging, '-y', ...(spec.inputArgs ?? [])]);
  cmd.setFfmpegPath(ffmpegPath);
  // fluent-ffmpeg checks before each run that the `-f` formats and `-acodec` codecs exist, and looks for `-acodec`
  // encoders that need `-strict experimental`, starting `ffmpeg -formats` and `ffmpeg -encoders` once per thread
  // (0.6 s of CPU a run on two cores) to learn them. Neither ever sees our codecs (given as -c:a), and
  // capabilities.ts has already checked every encoder and muxer the presets need, once, before any work started;
  // so this instance is told there is nothing to check.
  const own = cmd as unknown as {
    _checkCapabilities(cb: (err?: Error) => void): void;
    availableEncoders(cb: (err: Error | null, encoders: object) => void): void;
  };
  own._checkCapabilities = (cb) => cb();
  own.availableEncoders = (cb) => cb(null, {});
  for (const o of spec.outputs) {
    // fluent-ffmpeg splits an element holding exactly one space ("TITLE=Tape Loop") in two when
    // given an array; given separate arguments it keeps each as one argv element.
    const args = o.args.length === 1 ? [...o.args, '-hide_banner'] : o.args;
    cmd.output(o.target).outputOptions(...(args as [string, ...string[]]));
  }
  return cmd;
}

/**
 * The argv (without the binary) that runCommand would use, with its log on stderr: a log directory only moves
 * ffmpeg's log, and a command pasted from a dry run into a shell must not leave a report file behind.
 */
export function commandArgs(ffmpegPath: string, spec: CommandSpec): string[] {
  // _getArguments is fluent-ffmpeg's own argv builder; using it keeps dry-run output identical.
  return (command(ffmpegPath, spec, undefined) as unknown as { _getArguments(): string[] })._getArguments();
}

export interface RunOutcome {
  /** null when ffmpeg was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** The last lines of stderr, for error messages. */
  stderrTail: string;
  /** Per-channel samples decoded from the input's audio stream (ffmpeg's closing stats). */
  decodedSamples?: number;
  /** Per-channel samples each output's encoder was given, by output index (ffmpeg's closing stats). */
  encodedSamples?: number[];
  /** The stderr line that best explains a failure. */
  headline: string;
  /** The last lines ffmpeg wrote to stdout (hash outputs write "MD5=<hex>" there). */
  stdout?: string;
  cancelled: boolean;
}

export interface RunControl {
  /** Called with the media time (seconds) ffmpeg has reached, a few times a second. */
  onTime?: (seconds: number) => void;
  /** Every stderr line (the loudness meter reads its filter's lines here). */
  onLine?: (line: string) => void;
  /** When aborted: SIGTERM, then SIGKILL after killGraceMs, and the run resolves cancelled. */
  signal?: AbortSignal;
  /** Default 2000 ms. */
  killGraceMs?: number;
}

const timeRe = /time=\s*(\d+):(\d+):(\d+(?:\.\d+)?)/;

/** Run a command to the end. Never rejects: failures are described in the outcome. */
export async function runCommand(ffmpegPath: string, spec: CommandSpec, control: RunControl = {}): Promise<RunOutcome> {
  // A log directory that cannot be made (it exists: another run's; or the disk is full) means the pipe. So does
  // FFREPORT in the environment: ffmpeg takes the report's name and level from it over -report's.
  const wanted = spec.logDir && !process.env.FFREPORT ? resolve(spec.logDir) : undefined;
  const logDir = wanted
    ? await mkdir(wanted).then(
        () => wanted,
        () => undefined,
      )
    : undefined;
  // ffmpeg starts in the log directory: a binary named by a relative path must be found from where we are.
  const bin = logDir && ffmpegPath.includes('/') ? resolve(ffmpegPath) : ffmpegPath;
  try {
    return await runLogged(bin, spec, control, logDir);
  } finally {
    if (logDir) await rm(logDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function runLogged(
  ffmpegPath: string,
  spec: CommandSpec,
  control: RunControl,
  logDir: string | undefined,
): Promise<RunOutcome> {
  return new Promise((resolveRun) => {
    const cmd = command(ffmpegPath, spec, logDir);
    let report: string | undefined;
    const lines: string[] = [];
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let proc: { kill(sig: string): boolean; exitCode: number | null } | undefined;
    const stop = () => {
      cancelled = true;
      if (!proc) return;
      proc.kill('SIGTERM');
      killTimer = setTimeout(() => proc?.exitCode === null && proc.kill('SIGKILL'), control.killGraceMs ?? 2000);
      killTimer.unref();
    };
    cmd.on('start', () => {
      proc = (cmd as unknown as { ffmpegProc: typeof proc }).ffmpegProc;
      if (cancelled) stop();
    });
    cmd.on('stderr', (line: string) => {
      const named = logDir && !report ? REPORT_NAME.exec(line) : null;
      const path = named ? resolve(logDir as string, named[1]) : undefined;
      // Only a report in our own directory is ours to read.
      if (path && dirname(path) === logDir) report = path;
      if (!logDir) control.onLine?.(line);
      lines.push(line);
      if (lines.length > 400) lines.splice(0, lines.length - 200);
      const m = timeRe.exec(line);
      if (m && control.onTime) control.onTime(+m[1] * 3600 + +m[2] * 60 + +m[3]);
    });
    const finish = async (exitCode: number | null, signal: string | null, stdout?: string) => {
      clearTimeout(killTimer);
      control.signal?.removeEventListener('abort', stop);
      // What ffmpeg said on the pipe explains a failure; what it logged (the same pipe at verbose, or the report)
      // feeds the meter, the decode report and the closing stats.
      let said = lines;
      let logged = lines;
      if (logDir) {
        // The pipe's info lines, untagged, are whole: the report cuts every line at 1023 bytes (a long path in
        // "Error writing trailer of <path>: No space left on device" would lose its cause there).
        said = verboseLines(lines.join('\n'));
        // Without a report (ffmpeg could not write it) the pipe's lines are all there is, and a run that needed
        // its closing stats is judged without them.
        const kept: string[] = [];
        const each = (l: string) => {
          control.onLine?.(l);
          kept.push(l);
          if (kept.length > 400) kept.splice(0, kept.length - 200);
        };
        if (!report || !(await eachReportLine(report, each))) for (const l of said) each(l);
        logged = kept;
      }
      resolveRun({
        exitCode,
        signal,
        cancelled,
        stderrTail: tail(said).join('\n'),
        // From every line kept, not the tail only: a verbose ffmpeg may say more after the cause than the tail holds.
        headline: headline(meaningful(said)),
        ...(stdout ? { stdout } : {}),
        ...parseAnalysis(logged),
      });
    };
    cmd.on('end', (stdout?: string | null) => void finish(0, null, stdout ?? undefined));
    cmd.on('error', (err: Error) => {
      const code = /exited with code (\d+)/.exec(err.message);
      const sig = /killed with signal (\w+)/.exec(err.message);
      if (!code && !sig) lines.push(err.message); // spawn failure (ENOENT, EACCES)
      void finish(code ? +code[1] : sig ? null : -1, sig ? sig[1] : null);
    });
    if (control.signal?.aborted) cancelled = true;
    control.signal?.addEventListener('abort', stop, { once: true });
    cmd.run();
  });
}

/** ffmpeg's first stderr line under -report: where the report is (relative to its working directory). */
const REPORT_NAME = /^Report written to "(.+)"$/;
/** A level-tagged line ("level+" log flag): its context prefixes, then the level. */
const LEVEL_TAG = /^((?:\[[^\]]+ @ [^\]]+\] )*)\[(quiet|panic|fatal|error|warning|info|verbose|debug|trace)\] /;
/** The same tag inside a line (its context prefixes name pointers): where a cut line had the next one glued on. */
const GLUED = /(?:\[[^\][]+ @ 0x[0-9a-f]+\] )*\[(?:quiet|panic|fatal|error|warning|info|verbose|debug|trace)\] /g;

/**
 * Cuts a level-tagged log, line by line, back to what `-loglevel verbose` would have printed, without the tags:
 * debug and trace lines are dropped (the report is written at debug level), and so is the report's header (it
 * repeats the whole command line). An untagged line continues the message before it and keeps its level.
 */
class VerboseCut {
  private keep = true;
  private header = false;

  /** The lines verbose would print of one line of the report. */
  lines(raw: string): string[] {
    // The report cuts a line at 1023 bytes and drops its newline, so the next message is glued on: split there.
    // Searched for after the line's own tag (its level follows its context prefixes).
    const at: number[] = [];
    GLUED.lastIndex = Math.max(1, LEVEL_TAG.exec(raw)?.[0].length ?? 0);
    for (let m = GLUED.exec(raw); m; m = GLUED.exec(raw)) at.push(m.index);
    const parts = at.length ? [0, ...at].map((start, i) => raw.slice(start, at[i])) : [raw];
    return parts.flatMap((p) => this.line(p) ?? []);
  }

  /** The line as verbose would print it, or undefined when verbose would not. */
  private line(raw: string): string | undefined {
    const m = LEVEL_TAG.exec(raw);
    if (m) {
      this.header = false;
      const line = m[1] + raw.slice(m[0].length);
      this.keep = m[2] !== 'debug' && m[2] !== 'trace' && !line.startsWith('ffmpeg started on ');
      return this.keep ? line : undefined;
    }
    if (raw === 'Command line:' || REPORT_NAME.test(raw) || /^Log level: \d+$/.test(raw)) this.header = true;
    else if (this.keep && !this.header) return raw;
    return undefined;
  }
}

/** The lines of a level-tagged log that `-loglevel verbose` would have printed (see VerboseCut). */
export function verboseLines(text: string): string[] {
  const cut = new VerboseCut();
  return text.split(/\r\n|\r|\n/).flatMap((raw) => cut.lines(raw));
}

/**
 * Feed a report's verbose lines to `each`, reading it in chunks: a long master's report (ten meter lines a second
 * of audio) is never held whole. Resolves false when it cannot be read at all (a read failing part way resolves
 * true: what was read has been fed, and the lines it lacks are judged missing).
 */
export async function eachReportLine(path: string, each: (line: string) => void): Promise<boolean> {
  const cut = new VerboseCut();
  const emit = (raw: string) => {
    for (const l of cut.lines(raw)) each(l);
  };
  let rest = '';
  let read = false;
  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 256 << 10 })) {
      read = true;
      const parts = (rest + chunk).split(/\r\n|\r|\n/);
      // The last part may be a line still going on in the next chunk (or a \r whose \n is there).
      rest = parts.pop() ?? '';
      for (const raw of parts) emit(raw);
    }
  } catch {
    if (!read) return false;
  }
  if (rest) emit(rest);
  return true;
}

/** Verbose-level chatter that never explains a failure. */
const NOISE = [
  /^size=/,
  /^\s*(Input|Output) (file|stream) #/,
  /^\s*Total: \d+ packets/,
  /^\s*\[(AVIOContext|graph|Parsed_|auto_|format_|in_|out_)/,
  /^\s+(Integrated loudness|Loudness range|True peak|I:|LRA|Threshold|Peak):?/,
  /^\s*Stream (mapping|#)/,
  /^\s+Metadata:/,
  /^\s+[A-Za-z_]+\s*: /,
  /^\s*(Duration|Press \[q\])/,
  /^\s*(Input|Output) #\d+/,
  /^\s*\[[^\]]+\] (tb:|Setting |query_formats|EOF|Statistics)/,
];

/** The lines of stderr that are not progress or verbose chatter. */
function meaningful(lines: string[]): string[] {
  return lines.filter((l) => l.trim() && !NOISE.some((re) => re.test(l)));
}

/** The last of those, for error messages and the manifest. */
function tail(lines: string[]): string[] {
  return meaningful(lines).slice(-12);
}

/** System errors (strerror texts) that name a failure's cause; ffmpeg's later lines are its consequences. */
const CAUSE = /No space left on device|Disk quota exceeded|Read-only file system|Input\/output error|File too large/i;
/** ffmpeg's generic lines after a failure (4.1 to 6.1): they say that it failed, never why. */
const CLOSING =
  /^\s*(Conversion failed!?|Error initializing output stream|Error opening output files?\b|Error while opening enc)/;

const sounds = (l: string) =>
  /error|invalid|fail|not supported|unsupported|no such|unable|could not|cannot|denied|must/i.test(l);

/**
 * The line most likely to say what went wrong: the first naming a system error
 * ("av_interleaved_write_frame(): No space left on device"); else the line just before ffmpeg's first
 * closing line, where an encoder says why it would not open ("[libopus @ 0x…] Invalid channel layout
 * 5.1(side) for specified mapping family 1", "Frame duration must be exactly one of: …") when it sounds like
 * an error; else the last line before it that does; else the last line.
 */
export function headline(t: string[]): string {
  const cause = t.find((l) => CAUSE.test(l));
  if (cause) return cause;
  const closing = t.findIndex((l) => CLOSING.test(l));
  const before = closing < 0 ? t : t.slice(0, closing);
  const last = before.at(-1);
  if (last !== undefined && sounds(last)) return last;
  return (
    [...before].reverse().find(sounds) ?? [...t].reverse().find((l) => !CLOSING.test(l) && sounds(l)) ?? t.at(-1) ?? ''
  );
}

/**
 * Read ffmpeg's closing stats: the number of samples decoded from the input, and the number each
 * output's encoder was given (after resampling): the exact length a gapless output must decode to.
 */
export function parseAnalysis(lines: string[]): Pick<RunOutcome, 'decodedSamples' | 'encodedSamples'> {
  const out: Pick<RunOutcome, 'decodedSamples' | 'encodedSamples'> = {};
  for (const l of lines) {
    const m = /Input stream #0:\d+ \(audio\): .*frames decoded \((\d+) samples\)/.exec(l);
    if (m && out.decodedSamples === undefined) out.decodedSamples = +m[1];
    const e = /Output stream #(\d+):0 \(audio\): .*frames encoded \((\d+) samples\)/.exec(l);
    if (e) {
      out.encodedSamples ??= [];
      out.encodedSamples[+e[1]] = +e[2];
    }
  }
  return out;
}

/** Run ffmpeg and return what it wrote to stdout; rejects with stderr on failure. */
export async function ffmpegStdout(ffmpegPath: string, args: string[]): Promise<string> {
  try {
    return (
      await execFileP(ffmpegPath, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], { maxBuffer: 16 << 20 })
    ).stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/** Run ffmpeg with plain arguments (demo and fixture generation); rejects with stderr on failure. */
export async function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  try {
    await execFileP(ffmpegPath, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], {
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/** Quote an argv for display as a POSIX shell command line (dry-run output). */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
