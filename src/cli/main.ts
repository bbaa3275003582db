/**
 * The command line. The only code that touches the process (argv, exit codes, signals, TTY)
 * is here and in bin/; everything it does goes through the library.
 */
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { convertLibrary, type RunResult } from '../convert.js';
import { DEMO_PRESETS, makeDemoLibrary } from '../demo.js';
import { doctor } from '../doctor.js';
import { isAudiofanError, isFatalCode } from '../errors.js';
import { shellQuote } from '../ffmpeg.js';
import { locateFfmpeg } from '../ffmpeg-locate.js';
import type { Logger } from '../options.js';
import { loadPresets } from '../presets.js';
import { toolVersion } from '../version.js';
import { ProgressBar, summaryText } from './render.js';
import { resolveSettings, toConvertOptions, type Flags } from './settings.js';

/** Exit codes: documented in the README. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, internal: 70, locked: 75, interrupted: 130 } as const;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const EXAMPLES = `
Examples:
  audiofan ~/Music -o ~/Lossy -p mp3-v0,opus-128     convert a library (only what changed is redone)
  audiofan ~/Music -o ~/Lossy -p flac-cd --dry-run   print the exact ffmpeg commands, write nothing
  audiofan /music -o /lossy --json 2>>/var/log/audiofan.ndjson   NDJSON logs for cron
  audiofan presets                                   list presets
  audiofan doctor                                    check the ffmpeg binary and its encoders
  audiofan demo                                      make a demo library and convert it

Exit codes: 0 all done, 1 some files failed, 2 usage or configuration error, 75 output folder in use
by another run, 130 interrupted.
Environment: FFMPEG_PATH, AUDIOFAN_PRESETS, AUDIOFAN_JOBS, AUDIOFAN_PRESETS_DIR, AUDIOFAN_CONFIG.`;

interface RunFlags extends Flags { dryRun?: boolean; json?: boolean; quiet?: boolean; create?: boolean; delete?: boolean; adopt?: boolean }

function makeLogger(io: Io, flags: RunFlags): Logger {
  const structured = flags.json || !io.stderr.isTTY;
  if (!structured) return { debug() {}, info() {}, warn() {}, error() {} };
  // Synchronous writes: a cron job killed mid-run still leaves complete log lines.
  return pino({ level: flags.quiet ? 'warn' : 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: (io.stderr as { fd?: number }).fd ?? 2, sync: true }));
}

/** Run a conversion with terminal or NDJSON reporting; returns the exit code. */
async function runConversion(io: Io, flags: RunFlags, sources: string[], overrides: Partial<RunFlags> = {}): Promise<{ code: number; result?: RunResult }> {
  const settings = resolveSettings({ ...flags, ...overrides }, io.env);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      io.stderr.write(`\naudiofan: ${sig}: stopping ffmpeg and recording what finished (again to quit at once)\n`);
      controller.abort();
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = !!io.stderr.isTTY && !flags.json;
  const bar = tty && !flags.quiet && !flags.dryRun ? new ProgressBar(io.stderr) : undefined;
  try {
    const run = convertLibrary({ ...toConvertOptions(settings, sources), dryRun: flags.dryRun, create: flags.create ?? overrides.create,
      delete: flags.delete, adopt: overrides.adopt, logger: makeLogger(io, flags), signal: controller.signal });
    if (bar) run.on('progress', (p) => bar.update(p));
    const result = await run;
    bar?.done();
    if (flags.dryRun) {
      if (flags.json) io.stdout.write(JSON.stringify({ plan: result.actions, commands: result.commands, sources: result.sources }, null, 2) + '\n');
      else io.stdout.write(result.commands.map((c) => shellQuote(c)).join('\n') + (result.commands.length ? '\n' : '# nothing to do: every output is up to date\n'));
    } else if (tty && !flags.quiet) io.stdout.write(summaryText(result));
    return { code: result.exitCode, result };
  } finally {
    bar?.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function buildProgram(io: Io, setCode: (c: number) => void): Command {
  const program = new Command('audiofan')
    .description('Convert your lossless music library into tagged FLAC, MP3 and Opus copies, redoing only what changed.')
    .version(toolVersion(), '-V, --version')
    .argument('[sources...]', 'lossless source folders (walked recursively)')
    .option('-o, --output <dir>', 'output folder; outputs go to <dir>/<preset>/<source path>')
    .option('-p, --presets <ids>', 'comma-separated preset ids (see "audiofan presets")', undefined)
    .option('-j, --jobs <n>', 'ffmpeg processes at once (default: CPU count)')
    .option('--dry-run', 'print the exact ffmpeg commands that would run; write nothing')
    .option('--json', 'NDJSON logs on stderr even on a terminal (dry-run: the plan as JSON on stdout)')
    .option('-q, --quiet', 'no progress bar or summary; logs only warnings and errors')
    .option('--force', 're-encode every output even when up to date (and replace files audiofan did not make)')
    .option('--create', 'create the output folder if it does not exist (default: refuse, it may be an unmounted disk)')
    .option('--delete', 'delete outputs whose source is gone or no longer selected, then empty folders (only files audiofan made)')
    .option('--max-delete <n>', 'with --delete: delete at most N orphaned outputs, or N% of the outputs (default 10%, and never all)')
    .option('--reencode-on-encoder-change', 're-encode outputs made by another ffmpeg version (default: keep them and report it)')
    .option('--config <file>', 'JSON config file (keys: output, presets, jobs, presetDirs, definePresets, ffmpeg, followSymlinks, id3v2, loudness, artMaxSize, layout, fsProfile)')
    .option('--presets-dir <dir...>', 'extra folder(s) of preset *.json files; same id overrides a built-in')
    .option('--ffmpeg <path>', 'ffmpeg binary to use (else FFMPEG_PATH, ffmpeg-static, PATH, @ffmpeg-installer)')
    .option('--follow-symlinks', 'follow symbolic links to folders while scanning')
    .option('--id3v2 <version>', 'ID3v2 version for MP3 tags: 4 (default) or 3 for old players')
    .option('--no-loudness', 'do not measure loudness or write ReplayGain / R128 tags')
    .option('--art-max-size <px>', 'scale covers larger than this (either side) down to fit, as JPEG')
    .option('--layout <template>', 'name outputs from tags, e.g. "{albumartist|artist|Unknown Artist}/{album}/{disc}-{track:02} {title}"')
    .option('--fs-profile <name>', 'make names valid on: universal (default), posix, fat32, exfat, ntfs, android')
    .addHelpText('after', EXAMPLES)
    .action(async (sources: string[], flags: RunFlags) => {
      if (!sources.length) {
        io.stderr.write('audiofan: no source folder given\n\n');
        program.outputHelp({ error: true });
        setCode(EXIT.usage);
        return;
      }
      setCode((await runConversion(io, flags, sources)).code);
    });

  program.command('adopt')
    .description('record files already at output paths (a lost manifest, another tool) as audiofan\'s own when their codec and length match the source, then convert as usual')
    .argument('<sources...>', 'lossless source folders')
    .action(async (sources: string[]) => {
      setCode((await runConversion(io, program.opts<RunFlags>(), sources, { adopt: true })).code);
    });

  program.command('presets')
    .description('list the presets, built-in and your own, with a one-line description each')
    .option('--json', 'as JSON')
    .option('--presets-dir <dir...>', 'extra folder(s) of preset files')
    .action((own: { json?: boolean; presetsDir?: string[] }) => {
      // Commander gives options the root also defines to the root, wherever they stand.
      const flags = { ...program.opts<RunFlags>(), ...own };
      const s = resolveSettings({ presetsDir: flags.presetsDir, config: flags.config }, io.env);
      const all = [...loadPresets({ dirs: s.presetDirs }).values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
      if (flags.json) io.stdout.write(JSON.stringify(all, null, 2) + '\n');
      else {
        const w = Math.max(...all.map((p) => p.id.length));
        io.stdout.write(all.map((p) => `${p.id.padEnd(w)}  ${p.description}`).join('\n') + '\n');
      }
      setCode(EXIT.ok);
    });

  program.command('doctor')
    .description('show which ffmpeg is used, where it came from, its version and whether it has the encoders needed')
    .option('--json', 'as JSON')
    .option('--ffmpeg <path>', 'check this binary')
    .action(async (own: { json?: boolean; ffmpeg?: string }) => {
      const flags = { ...program.opts<RunFlags>(), ...own };
      const s = resolveSettings({ ffmpeg: flags.ffmpeg, config: flags.config, presetsDir: flags.presetsDir }, io.env);
      const report = await doctor([...loadPresets({ dirs: s.presetDirs }).values()], s.ffmpegPath);
      if (flags.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const f = report.ffmpeg;
        const lines = f ? [`ffmpeg:   ${f.path}`, `found via: ${f.source}${f.passedOver.length ? ` (passed over: ${f.passedOver.join('; ')})` : ''}`,
          `version:  ${f.version}`, `libsoxr:  ${f.soxr ? 'yes' : 'no'}`, '',
          ...report.requirements.map((r) => `  ${r.present ? 'ok     ' : 'MISSING'}  ${r.kind.padEnd(7)} ${r.name.padEnd(12)} ${r.neededBy.join(', ')}`), ''] : [];
        lines.push(report.problems.length ? `Problems:\n${report.problems.map((p) => `  - ${p}`).join('\n')}` : 'Everything needed is present.');
        io.stdout.write(lines.join('\n') + '\n');
      }
      setCode(report.ok ? EXIT.ok : EXIT.usage);
    });

  program.command('demo')
    .description('make a small demo library (two albums, cover art, a 24/96 track, a corrupt file) and convert it')
    .argument('[dir]', 'where to put it', 'audiofan-demo')
    .action(async (dir: string) => {
      const root = program.opts<RunFlags>();
      const ffmpegPath = locateFfmpeg(root.ffmpeg, io.env).path;
      const demo = await makeDemoLibrary(resolve(dir), ffmpegPath);
      io.stdout.write(`Demo library: ${demo.library}\n`);
      const { code, result } = await runConversion(io, root, [demo.library], { output: demo.output, presets: DEMO_PRESETS.join(','), create: true });
      // The truncated file is meant to fail; anything else failing is a real problem.
      const unexpected = result?.sources.filter((s) => s.status === 'failed' && s.path !== demo.corrupt) ?? [];
      io.stdout.write(`\nOutputs:  ${demo.output}/<preset>/...\nManifest: ${result?.manifestPath ?? '(none)'}\n`
        + `Expected: "${demo.corrupt}" fails as truncated and "${demo.lossy}" is skipped as lossy.\n`);
      setCode(code === EXIT.someFailed && unexpected.length === 0 ? EXIT.ok : code);
    });

  program.exitOverride();
  program.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  return program;
}

/** Parse argv, run, and return the exit code (the caller sets process.exitCode). */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isAudiofanError(e)) {
      io.stderr.write(`audiofan: error [${e.code}]: ${e.message}\n`);
      if (e.code === 'E_LOCKED') return EXIT.locked;
      return isFatalCode(e.code) ? EXIT.usage : EXIT.someFailed;
    }
    io.stderr.write(`audiofan: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}
