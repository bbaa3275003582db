/**
 * The command line. The only code that touches the process (argv, exit codes, signals, TTY)
 * is here and in bin/; everything it does goes through the library.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { convertLibrary } from '../run/convert.js';
import { DEMO_PRESETS, makeDemoLibrary } from '../demo/demo.js';
import { doctor } from '../ffmpeg/doctor.js';
import { isAudiofanError } from '../errors.js';
import { shellQuote } from '../ffmpeg/adapter.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { loadPresets } from '../presets/presets.js';
import { toolVersion } from '../version.js';
import { CliLog, wantsStructured, type Stop } from './log.js';
import { addServeCommand, demoServeOptions, serve } from './serve-command.js';
import { ProgressDisplay, summaryText } from './render.js';
import { planText } from './plan-text.js';
import { planTotals } from '../run/actions.js';
import { doctorText } from './doctor-text.js';
import { completionScript } from './completion.js';
import { logFileOf, resolveSettings, toConvertOptions, type Flags } from './settings.js';
import { runWorker } from './worker-command.js';
import { CLI_FLAGS, OPTIONS, type OptionSpec } from '../run/option-table.js';
import type { RunResult } from '../model.js';

/** Exit codes: documented in the README. */
export const EXIT = {
  ok: 0,
  someFailed: 1,
  usage: 2,
  internal: 70,
  ioError: 74,
  locked: 75,
  interrupted: 130,
} as const;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const ENV_VARS = [...Object.values(OPTIONS), ...Object.values(CLI_FLAGS)].flatMap((s: OptionSpec) =>
  s.env ? [s.env] : [],
);

const EXAMPLES = `
Examples:
  audiofan ~/Music -o ~/Lossy -p mp3-v0,opus-128     convert a library (only what changed is redone)
  audiofan ~/Music -o ~/Lossy -p flac-cd --dry-run   print every action and why, and the ffmpeg commands; write nothing
  audiofan /music -o /lossy --json 2>>/var/log/audiofan.ndjson   NDJSON logs for cron
  audiofan ~/Music/album -o /sdcard/Music -p opus-96 --flat --exclude 'Live/**'   one preset, no <preset>/ level
  audiofan --config ~/.config/audiofan.json --log-file ~/audiofan.ndjson       sources and all from a config
  audiofan presets                                   list presets
  audiofan doctor                                    check the ffmpeg binary and its encoders
  audiofan demo                                      make a demo library and convert it
  eval "$(audiofan completion bash)"                 shell completion (also zsh, fish); man audiofan

Exit codes: 0 all done, 1 some files failed, 2 usage or configuration error, 74 the manifest could
not be written, 75 output folder in use by another run (try later), 130 interrupted, 70 a bug.
Environment: ${ENV_VARS.join(', ')}.`;

/** commander's attributes for the table's flags, and the CLI's own. */
type RunFlags = Flags & { dryRun?: boolean; json?: boolean; quiet?: boolean; adopt?: boolean };

/** A commander option from a row of the option table. */
function optionFor(spec: OptionSpec): Option {
  const help =
    spec.help.replace(/`/g, '').replace(/ \(see \[.*?\]\(#.*?\)\)/, '') +
    (spec.defaultText && !spec.negate ? ` (default: ${spec.defaultText.replace(/`/g, '')})` : '') +
    (spec.env ? ` [${spec.env}]` : '');
  const o = new Option(spec.flag!, help);
  if (spec.repeat) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  return o;
}

/** Presets a config file defines inline, for the presets and doctor commands. */
function inlinePresets(s: { extraPresets?: unknown[] }) {
  return (s.extraPresets ?? []).map((data, i) => ({ data, origin: `config definePresets[${i}]` }));
}

/** The exit code for an error that stopped a run, decided by its code, never its message. */
export function exitCodeFor(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  // By string: the manifest writer's code is newer than some copies of ErrorCodes.
  if (code === 'E_MANIFEST_WRITE') return EXIT.ioError;
  if (code === 'E_LOCKED') return EXIT.locked;
  return isAudiofanError(e) ? EXIT.usage : EXIT.internal;
}

/** A bug: logged with its stack, exit 70. */
function internal(e: unknown): Stop {
  const error = e instanceof Error ? e : new Error(String(e));
  return {
    code: 'E_INTERNAL',
    message: `internal error (a bug in audiofan): ${error.message}`,
    exitCode: EXIT.internal,
    error,
  };
}

/** What to log for an error that stopped a run. */
function stopFor(e: unknown): Stop {
  const exitCode = exitCodeFor(e);
  if (exitCode === EXIT.internal) return internal(e);
  const { code, message, file } = e as { code: string; message: string; file?: string };
  return { code, message, exitCode, ...(file ? { file } : {}) };
}

/** Run a conversion with terminal or NDJSON reporting; returns the exit code. */
async function runConversion(
  io: Io,
  log: CliLog,
  flags: RunFlags,
  sources: string[],
  overrides: Partial<RunFlags> = {},
): Promise<{ code: number; result?: RunResult; summarised?: boolean }> {
  const settings = resolveSettings({ ...flags, ...overrides }, io.env);
  const logFile = logFileOf(settings);
  if (logFile) log.toFile(logFile);
  const controller = new AbortController();
  const tty = !log.structured;
  const bar =
    tty && !flags.quiet && !flags.dryRun
      ? new ProgressDisplay(
          io.stderr,
          sources.map((s) => resolve(s)),
        )
      : undefined;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    bar?.done();
    if (signals === 1) {
      log.notice(
        { event: 'signal', signal: sig },
        `${sig}: stopping ffmpeg and recording what finished (again to quit at once)`,
      );
      bar?.stop(`${sig}: stopping ffmpeg; finished outputs are kept`);
      controller.abort();
      return;
    }
    log.stop({
      code: 'E_CANCELLED',
      message: `second ${sig}: quitting at once; outputs in flight are lost and the next run redoes them`,
      exitCode: EXIT.interrupted,
    });
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const run = convertLibrary({
      ...toConvertOptions(settings, sources),
      ...(overrides.adopt ? { adopt: true } : {}),
      logger: log.forRun(flags.quiet),
      signal: controller.signal,
    });
    if (bar) run.on('progress', (p) => bar.update(p));
    const result = await run;
    bar?.done();
    if (flags.dryRun) {
      const { actions: plan, commands } = result;
      if (flags.json)
        io.stdout.write(
          `${JSON.stringify({ plan, totals: planTotals(plan), commands, sources: result.sources }, null, 2)}\n`,
        );
      else
        io.stdout.write(
          planText(
            plan,
            commands.map((c) => shellQuote(c)),
            result.options.output as string,
          ),
        );
    } else if (tty && !flags.quiet) {
      io.stdout.write(summaryText(result, io.stdout.rows));
      return { code: result.exitCode, result, summarised: true };
    }
    return { code: result.exitCode, result };
  } finally {
    bar?.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A signal that lands after the run has ended (a second Ctrl-C racing the last cleanup) must not kill
    // the process with the default action: the summary is written and the exit code already decided.
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      if (!process.listeners(sig).includes(ignoreLateSignal)) process.on(sig, ignoreLateSignal);
  }
}

function ignoreLateSignal(): void {}

function buildProgram(io: Io, log: CliLog, setCode: (c: number) => void): Command {
  const program = new Command('audiofan')
    // Before any .command(): subcommands copy these settings when they are made. Structured mode
    // drops commander's own error text; the CommanderError it throws is logged as one NDJSON line.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => {
        if (!log.structured) io.stderr.write(s);
      },
    })
    .description(
      'Convert your lossless music library into tagged FLAC, MP3 and Opus copies, redoing only what changed.',
    )
    .version(toolVersion(), '-V, --version')
    .argument('[sources...]', 'lossless source folders (walked recursively) or files')
    .addHelpText('after', EXAMPLES);
  for (const spec of [...Object.values(OPTIONS), ...Object.values(CLI_FLAGS)] as OptionSpec[])
    if (spec.flag) program.addOption(optionFor(spec));
  program.action(async (sources: string[], flags: RunFlags) => {
    // Sources may come from the config file too; toConvertOptions says when there are none at all.
    setCode((await runConversion(io, log, flags, sources)).code);
  });

  program
    .command('adopt')
    .description(
      "record files already at output paths (a lost manifest, another tool) as audiofan's own when their codec and " +
        'length match the source, then convert as usual',
    )
    .argument('<sources...>', 'lossless source folders')
    .action(async (sources: string[]) => {
      setCode((await runConversion(io, log, program.opts<RunFlags>(), sources, { adopt: true })).code);
    });

  program
    .command('worker')
    .description('take jobs of runs given --queue (on any machine that mounts the sources and outputs)')
    .option(
      '--map <from=to>',
      "a coordinator's path prefix = this machine's (repeat for more)",
      (v, p: string[] = []) => [...p, v],
    )
    .action(async (own: { map?: string[] }) => {
      setCode(await runWorker(io, log, { ...program.opts<RunFlags>(), ...own }));
    });

  program
    .command('presets')
    .description('list the presets, built-in and your own, with a one-line description each')
    .option('--json', 'as JSON')
    .addOption(optionFor(OPTIONS.presetDirs))
    .action((own: { json?: boolean; presetsDir?: string[] }) => {
      // Commander gives options the root also defines to the root, wherever they stand.
      const flags = { ...program.opts<RunFlags>(), ...own };
      const s = resolveSettings({ presetsDir: flags.presetsDir, config: flags.config }, io.env);
      const all = [...loadPresets({ dirs: s.presetDirs, inline: inlinePresets(s) }).values()].sort((a, b) =>
        a.id.localeCompare(b.id, 'en', { numeric: true }),
      );
      if (flags.json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else {
        const w = Math.max(...all.map((p) => p.id.length));
        io.stdout.write(`${all.map((p) => `${p.id.padEnd(w)}  ${p.description}`).join('\n')}\n`);
      }
      setCode(EXIT.ok);
    });

  program
    .command('doctor')
    .description('show which ffmpeg is used, where it came from, its version and whether it has the encoders needed')
    .option('--json', 'as JSON')
    .addOption(optionFor(OPTIONS.ffmpegPath))
    .action(async (own: { json?: boolean; ffmpeg?: string }) => {
      const flags = { ...program.opts<RunFlags>(), ...own };
      const s = resolveSettings(
        { ffmpeg: flags.ffmpeg, config: flags.config, presetsDir: (flags as RunFlags).presetsDir },
        io.env,
      );
      const report = await doctor(
        [...loadPresets({ dirs: s.presetDirs, inline: inlinePresets(s) }).values()],
        s.ffmpegPath,
      );
      io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : doctorText(report));
      setCode(report.ok ? EXIT.ok : EXIT.usage);
    });

  program
    .command('completion')
    .description('print a shell completion script (bash: eval "$(audiofan completion bash)")')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      io.stdout.write(completionScript(shell));
      setCode(EXIT.ok);
    });

  program
    .command('demo')
    .description('make a small demo library (two albums, cover art, a 24/96 track, a corrupt file) and convert it')
    .argument('[dir]', 'where to put it', 'audiofan-demo')
    .option('--serve', 'serve the demo library in a browser (audiofan serve) instead of converting it')
    .option('--port <n>', 'with --serve: the port (default: 8080)')
    .action(async (dir: string, own: { serve?: boolean; port?: string }) => {
      const root = program.opts<RunFlags>();
      const ffmpegPath = locateFfmpeg(root.ffmpeg as string | undefined, io.env).path;
      const demo = await makeDemoLibrary(resolve(dir), ffmpegPath);
      io.stdout.write(`Demo library: ${demo.library}\n`);
      if (own.serve)
        return setCode(await serve(io, log, demoServeOptions(io, { ...root, ...own }, demo, resolve(dir))));
      const { code, result, summarised } = await runConversion(io, log, root, [demo.library], {
        output: demo.output,
        presets: DEMO_PRESETS.join(','),
        create: true,
      });
      // The truncated file is meant to fail; anything else failing is a real problem.
      const unexpected = result?.sources.filter((s) => s.status === 'failed' && s.path !== demo.corrupt) ?? [];
      io.stdout.write(
        `\nOutputs:  ${demo.output}/<preset>/...\n` +
          // Unless the summary above said it already.
          (summarised ? '' : `Manifest: ${result?.manifestPath ?? '(none)'}\n`) +
          `Expected: "${demo.corrupt}" fails as truncated and "${demo.lossy}" is skipped as lossy.\n`,
      );
      setCode(code === EXIT.someFailed && unexpected.length === 0 ? EXIT.ok : code);
    });

  addServeCommand(program, io, log, setCode);
  return program;
}

/** Parse argv, run, and return the exit code (the caller sets process.exitCode). */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  // Decided from argv, before parsing: errors in parsing and settings are logged the same way as the rest.
  const log = new CliLog(io.stderr, wantsStructured(argv.slice(2), io.stderr));
  let code: number = EXIT.ok;
  const program = buildProgram(io, log, (c) => {
    code = c;
  });
  // A bug that escapes every await still gets its NDJSON line, a summary and exit 70.
  const crash = (e: unknown) => {
    log.stop(internal(e));
    process.exit(EXIT.internal);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version
      // On a terminal commander has printed its message already.
      if (log.structured)
        log.stop({ code: 'E_USAGE', message: e.message.replace(/^error: /, ''), exitCode: EXIT.usage });
      return EXIT.usage;
    }
    const stop = stopFor(e);
    log.stop(stop);
    return stop.exitCode;
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
  }
}
