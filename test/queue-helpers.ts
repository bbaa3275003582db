/**
 * Helpers for the queue tests: a private redis-server on a free loopback port (stopped by the test), and
 * `audiofan worker` processes whose stderr is kept and can be waited on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { bin } from './helpers.js';

export const REDIS_SERVER = '/usr/bin/redis-server';
/** Why the queue tests cannot run here, or undefined. */
export const noRedis = existsSync(REDIS_SERVER)
  ? undefined
  : `${REDIS_SERVER} is not installed (apt-get install -y redis-server)`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** A client for looking at what Redis holds. */
  client(): Redis;
  stop(): Promise<void>;
  /** Stop and start again on the same port (with persistence: the same data). */
  restart(downMs?: number): Promise<void>;
}

/** Start redis-server on a free port; `dir`: persist there (append-only file, synced per write), else no persistence. */
export async function startRedis(dir?: string, password?: string): Promise<TestRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  args.push(...(dir ? ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  if (password) args.push('--requirepass', password);
  let proc: ChildProcess;
  const clients: Redis[] = [];
  const launch = async () => {
    proc = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const probe = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      const ok = await probe.connect().then(
        () => probe.ping(),
        () => undefined,
      );
      probe.disconnect();
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  const halt = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  await launch();
  return {
    port,
    url: `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}/0`,
    client() {
      const c = new Redis({ port, host: '127.0.0.1', password });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await halt();
    },
    async restart(downMs = 1000) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  stderr(): string;
  /** Resolves when stderr has matched. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Start `audiofan worker --queue url ...args` with NDJSON logs. */
export function startWorkerProcess(url: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', url, '--json', ...args], {
    env: { ...process.env, AUDIOFAN_QUEUE_LOCK_MS: '2000', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let buf = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (d) => {
    buf += d;
    for (const w of waiters.filter((x) => x.re.test(buf))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    child,
    stderr: () => buf,
    waitFor(re, timeoutMs = 30_000) {
      if (re.test(buf)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker never logged ${re}; stderr:\n${buf}`)), timeoutMs);
        waiters.push({
          re,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    async stop() {
      if (child.exitCode === null && !child.signalCode) child.kill('SIGTERM');
      await exited;
    },
  };
}
