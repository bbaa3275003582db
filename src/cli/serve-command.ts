/**
 * `audiofan serve` and `audiofan demo --serve`: start the server, print its URL, rescan on SIGHUP, and on
 * SIGINT/SIGTERM stop it (encodes cancelled, ffmpeg stopped, temporaries removed) before returning.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AudiofanError } from '../errors.js';
import { createServer } from '../serve/server.js';
import { parseSize, type ServeOptions } from '../serve/options.js';
import type { CliLog } from './log.js';
import { resolveSettings, type Flags } from './settings.js';

/** The part of the CLI's Io this needs (main.ts imports this module, so not its type). */
interface Io {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface ServeFlags {
  cache?: string;
  port?: string;
  host?: string;
  cacheMax?: string;
  token?: string;
  seed?: string[];
  rescanInterval?: string;
}

const whole = (flag: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new AudiofanError('E_USAGE', `${flag}: expected a whole number, got "${v}"`);
  return Number(v);
};

/** Add the `serve` command to the program. */
export function addServeCommand(program: Command, io: Io, log: CliLog, setCode: (c: number) => void): void {
  program
    .command('serve')
    .description('browse the library in a browser and download any track or album in any preset, encoded on demand')
    .argument('<sources...>', 'lossless source folders (only read)')
    .requiredOption('--cache <dir>', 'cache folder for encoded files (made if missing)')
    .option('--port <n>', 'port (default: 8080)')
    .option('--host <addr>', 'address to listen on (default: 127.0.0.1; any other needs --token)')
    .option('--cache-max <size>', 'cache bound, e.g. 20GB or 500MB; least recently used files go first (default: 20GB)')
    .option('--token <token>', 'access token for the login page and Authorization: Bearer [AUDIOFAN_TOKEN]')
    .option(
      '--seed <dir>',
      'a batch output folder whose matching outputs are served as they are (repeatable)',
      (v, p: string[] = []) => [...p, v],
    )
    .option('--rescan-interval <s>', 'rescan the sources every N seconds (also on SIGHUP and POST /api/rescan)')
    .addHelpText(
      'after',
      '\nAlso: -j/--jobs (encodes at once), --ffmpeg, --presets-dir, --no-loudness and --config, as for conversions.\n' +
        'Prefer AUDIOFAN_TOKEN to --token: other users can read command lines.',
    )
    .action(async (sources: string[], own: ServeFlags) => {
      const flags = { ...program.opts<Flags>(), ...own } as Flags & ServeFlags;
      setCode(await serve(io, log, serveOptions(io, flags, sources)));
    });
}

function serveOptions(io: Io, flags: Flags & ServeFlags, sources: string[]): ServeOptions {
  const s = resolveSettings(flags, io.env);
  const cacheMax = flags.cacheMax === undefined ? undefined : parseSize(flags.cacheMax);
  if (flags.cacheMax !== undefined && !cacheMax)
    throw new AudiofanError('E_USAGE', `--cache-max: expected a size such as 20GB or 500MB, got "${flags.cacheMax}"`);
  const token = flags.token ?? io.env.AUDIOFAN_TOKEN;
  return {
    sources,
    cache: flags.cache!,
    ...(flags.port !== undefined ? { port: whole('--port', flags.port) } : {}),
    ...(flags.host ? { host: flags.host } : {}),
    ...(cacheMax ? { cacheMax } : {}),
    ...(token ? { token } : {}),
    ...(flags.seed ? { seed: flags.seed } : {}),
    ...(flags.rescanInterval ? { rescanInterval: whole('--rescan-interval', flags.rescanInterval) } : {}),
    ...(s.jobs ? { jobs: s.jobs } : {}),
    ...(s.ffmpegPath ? { ffmpegPath: s.ffmpegPath } : {}),
    ...(s.presetDirs ? { presetDirs: s.presetDirs } : {}),
    ...(s.loudness === false ? { loudness: false } : {}),
  };
}

/** `audiofan demo --serve`: the demo library served, its batch outputs (if made before) as seeds. */
export function demoServeOptions(
  io: Io,
  flags: Flags,
  demo: { library: string; output: string },
  dir: string,
): ServeOptions {
  const o = serveOptions(io, { ...flags, cache: join(dir, 'cache'), port: (flags as ServeFlags).port }, [demo.library]);
  return existsSync(demo.output) ? { ...o, seed: [demo.output] } : o;
}

/** Run the server until SIGINT or SIGTERM; SIGHUP rescans. Returns the exit code. */
export async function serve(io: Io, log: CliLog, options: ServeOptions): Promise<number> {
  const server = await createServer({ ...options, logger: log.forRun() });
  const url = await server.listen();
  io.stdout.write(`audiofan serve: ${url}\n`);
  const onHup = () => {
    server.rescan().then(
      (r) =>
        log.notice({ event: 'rescan', ...r }, `rescanned: ${r.tracks} tracks, ${r.changed} changed, ${r.gone} gone`),
      (e) => log.notice({ event: 'rescan', error: (e as Error).message }, `rescan failed: ${(e as Error).message}`),
    );
  };
  process.on('SIGHUP', onHup);
  try {
    const sig = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    log.notice(
      { event: 'signal', signal: sig },
      `${sig}: stopping the server (encodes cancelled, temporaries removed)`,
    );
    await server.close();
    return 0;
  } finally {
    process.off('SIGHUP', onHup);
  }
}
