/**
 * `audiofan worker --queue <url> [-j N] [--map from=to ...]`: this machine takes jobs of the runs listed in Redis
 * until SIGINT or SIGTERM, when its running jobs are handed back to the queue for another worker.
 * AUDIOFAN_WORKER_NAME names it (default: the host name); AUDIOFAN_QUEUE_LOCK_MS sets how soon a silent worker's
 * job is handed on (default 30000).
 */
import { AudiofanError } from '../errors.js';
import type { Logger } from '../model.js';
import { startWorker } from '../queue/worker.js';
import type { CliLog } from './log.js';
import { resolveSettings, type Flags } from './settings.js';

/** On a terminal a person reads plain lines; otherwise the NDJSON logger. */
function workerLogger(log: CliLog, stderr: NodeJS.WritableStream): Logger {
  if (log.structured) return log.forRun();
  const line = (level: string) => (_o: object, m?: string) => {
    if (m) stderr.write(`audiofan worker: ${level}${m}\n`);
  };
  return { debug() {}, info: line(''), warn: line('warning: '), error: line('error: ') };
}

const positive = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 100) throw new AudiofanError('E_USAGE', `${name}: expected milliseconds >= 100`);
  return Number(v);
};

/** Run a worker until a signal; returns the exit code. */
export async function runWorker(
  io: { stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
  log: CliLog,
  flags: Flags & { map?: string[] },
): Promise<number> {
  const s = resolveSettings(
    { queue: flags.queue, jobs: flags.jobs, ffmpeg: flags.ffmpeg, config: flags.config },
    io.env,
  );
  if (!s.queue)
    throw new AudiofanError('E_USAGE', 'audiofan worker needs --queue redis://host:6379/0 (or AUDIOFAN_QUEUE)');
  const lockMs = positive(io.env.AUDIOFAN_QUEUE_LOCK_MS, 'AUDIOFAN_QUEUE_LOCK_MS');
  const worker = await startWorker({
    connection: s.queue.connection,
    ...(s.jobs ? { jobs: s.jobs } : {}),
    map: flags.map ?? [],
    ...(s.ffmpegPath ? { ffmpegPath: s.ffmpegPath } : {}),
    ...(io.env.AUDIOFAN_WORKER_NAME ? { name: io.env.AUDIOFAN_WORKER_NAME } : {}),
    ...(lockMs ? { lockMs, pollMs: Math.min(2000, lockMs) } : {}),
    logger: workerLogger(log, io.stderr),
  });
  const sig = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.notice({ event: 'signal', signal: sig }, `${sig}: stopping; running jobs go back to the queue`);
  await worker.close();
  return 0;
}
