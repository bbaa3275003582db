/**
 * The output folder's lock on real files and real processes: what is taken over, what is refused, and races.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_NAME } from '../dist/src/store/lock.js';
import { judgeHolder, procFacts, thisMachine, type LockInfo } from '../dist/src/store/lock-holder.js';
import { cli, repo, tmp, track, fatalLine } from './helpers.js';

const lockModule = join(repo, 'dist', 'src', 'store', 'lock.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A lock record as this machine would write it for `pid`. */
function recordFor(pid: number, extra: Partial<LockInfo> = {}): LockInfo {
  const start = procFacts(pid)?.start;
  return {
    pid,
    ...thisMachine(),
    startedAt: '2024-01-01T00:00:00.000Z',
    ...(start !== undefined ? { procStart: start } : {}),
    ...extra,
  };
}

async function writeLock(dir: string, content: string | object, ageSeconds = 0): Promise<string> {
  const path = join(dir, LOCK_NAME);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  if (ageSeconds)
    await utimes(path, new Date(Date.now() - ageSeconds * 1000), new Date(Date.now() - ageSeconds * 1000));
  return path;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; file?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; file?: string };
  }
  throw new Error('expected acquireLock to fail');
}

async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((r) => c.on('exit', r));
  return c.pid!;
}

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['30']);
  children.push(c);
  return c;
}

/** A node process holding the lock until killed; resolves once it holds it (or with its error code). */
function holderProcess(dir: string, startAt = 0, holdMs = 60_000): { child: ChildProcess; outcome: Promise<string> } {
  const code = `const { acquireLock } = await import(${JSON.stringify(lockModule)});
    while (Date.now() < ${startAt}) await new Promise((r) => setImmediate(r));
    try { const l = await acquireLock(process.argv[1]); console.log('won'); await new Promise((r) => setTimeout(r, ${holdMs})); await l.release(); }
    catch (e) { console.log(e.code ?? e.message); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const outcome = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', () => resolve(out.trim()));
  });
  return { child, outcome };
}

describe('judging a lock holder (pure: injected process facts)', () => {
  const here = { host: 'box', bootId: 'boot-1', machineId: 'm-1', pidNs: 'pid:[1]' };
  const node = { state: 'S', start: 500, argv: ['/usr/bin/node', '/usr/lib/audiofan/bin/audiofan.js'] };
  const h = (o: Partial<LockInfo> = {}): LockInfo => ({
    pid: 42,
    host: 'box',
    startedAt: 't',
    bootId: 'boot-1',
    machineId: 'm-1',
    pidNs: 'pid:[1]',
    procStart: 500,
    ...o,
  });
  it.each([
    ['the same process, still running', h(), true, node, 'live'],
    ['process gone', h(), false, undefined, 'stale: process 42 is gone'],
    ['machine restarted since', h({ bootId: 'boot-0' }), true, node, 'stale: this machine has restarted'],
    [
      'pid reused: another start time',
      h(),
      true,
      { ...node, start: 900 },
      'stale: pid 42 now belongs to another process',
    ],
    [
      'pid reused by another program (old record, no start time)',
      h({ procStart: undefined }),
      true,
      { ...node, argv: ['sleep', '30'] },
      'stale: pid 42 now belongs to another program (sleep)',
    ],
    ['a zombie', h(), true, { ...node, state: 'Z' }, 'stale: process 42 has exited'],
    ['old record of a live node process', h({ procStart: undefined, bootId: undefined }), true, node, 'live'],
    ['another host', h({ host: 'other' }), false, undefined, 'unknown: it was taken on another machine (other)'],
    [
      'same hostname, another machine id',
      h({ machineId: 'm-2' }),
      false,
      undefined,
      'unknown: it was taken on another machine',
    ],
    [
      'another pid namespace (container)',
      h({ pidNs: 'pid:[2]' }),
      false,
      undefined,
      'unknown: it was taken in another pid namespace',
    ],
    ['alive but no /proc (macOS)', h(), true, undefined, 'unknown: process 42 is alive, but /proc cannot show'],
  ] as const)('%s', (_name, holder, alive, facts, expected) => {
    const v = judgeHolder(
      holder,
      here,
      () => alive,
      () => facts,
    );
    const text = v.kind === 'live' ? 'live' : v.kind === 'stale' ? `stale: ${v.reason}` : `unknown: ${v.why}`;
    expect(text.startsWith(expected), text).toBe(true);
  });
});

describe('acquireLock on real files', () => {
  it.each([
    ['an empty lock file (20 s old)', '', /empty or unreadable and 20 s old/],
    ['garbage JSON (20 s old)', '{"pid": 12, "host', /empty or unreadable/],
    [
      'a record naming pid 0 (a process group, not a process)',
      JSON.stringify({ pid: 0, host: hostname(), startedAt: 'x' }),
      /empty or unreadable/,
    ],
  ])('%s is taken over', async (_name, content, reason) => {
    const dir = await tmp('lock');
    await writeLock(dir, content, 20);
    const lock = await acquireLock(dir);
    expect(lock.tookOver?.reason).toMatch(reason);
    expect(JSON.parse(await readFile(join(dir, LOCK_NAME), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
  });

  it('an empty lock file only seconds old is left alone: a racing run may be writing it', async () => {
    const dir = await tmp('lock');
    const path = await writeLock(dir, '');
    const e = await failure(acquireLock(dir));
    expect(e.code).toBe('E_LOCKED');
    expect(e.message).toContain(`rm "${path}"`);
  });

  it('the lock of a dead process is taken over', async () => {
    const dir = await tmp('lock');
    const pid = await deadPid();
    await writeLock(dir, { pid, host: hostname(), startedAt: 'long ago' });
    const lock = await acquireLock(dir);
    expect(lock.tookOver).toMatchObject({ pid, reason: `process ${pid} is gone` });
    await lock.release();
  });

  it.each([
    [
      'its start time differs from the recorded one',
      (pid: number) => recordFor(pid, { procStart: (procFacts(pid)?.start ?? 0) + 12345 }),
      /now belongs to another process/,
    ],
    [
      'an old-style record without a start time',
      (pid: number) => ({ pid, host: hostname(), startedAt: 'earlier' }),
      /now belongs to another program \(sleep\)/,
    ],
    [
      'the record is from before a restart',
      (pid: number) => recordFor(pid, { bootId: '00000000-dead-beef-0000-000000000000' }),
      /restarted/,
    ],
  ])('a lock naming a live unrelated process (sleep) is taken over: %s', async (_name, record, reason) => {
    const dir = await tmp('lock');
    const s = sleeper();
    await writeLock(dir, record(s.pid!));
    const lock = await acquireLock(dir);
    expect(lock.tookOver?.reason).toMatch(reason);
    expect(lock.tookOver?.pid).toBe(s.pid);
    await lock.release();
  });

  it('a second acquireLock in the same process is refused with E_LOCKED; after release it succeeds', async () => {
    const dir = await tmp('lock');
    const first = await acquireLock(dir);
    const e = await failure(acquireLock(dir));
    expect(e.code).toBe('E_LOCKED');
    expect(e.message).toMatch(
      new RegExp(
        `in use by another audiofan run \\(pid ${process.pid} on ${hostname()}, started .*\\): lock file ${join(dir, LOCK_NAME)}; that run is still going`,
      ),
    );
    await first.release();
    await (await acquireLock(dir)).release();
  });

  it('a lock held by a live node process is refused; once that process is killed it is taken over', async () => {
    const dir = await tmp('lock');
    const h = holderProcess(dir);
    expect(await h.outcome).toBe('won');
    expect((await failure(acquireLock(dir))).code).toBe('E_LOCKED');
    h.child.kill('SIGKILL');
    await new Promise((r) => h.child.on('exit', r));
    const lock = await acquireLock(dir);
    expect(lock.tookOver).toMatchObject({ pid: h.child.pid, reason: `process ${h.child.pid} is gone` });
    await lock.release();
  });

  it.each([
    ['refreshed recently: E_LOCKED (try later)', 0, 'E_LOCKED', /refreshed \d+ s ago, so that run looks active/],
    [
      'not refreshed for an hour: E_LOCK_STALE_UNKNOWN (a person must decide)',
      3600,
      'E_LOCK_STALE_UNKNOWN',
      /not been refreshed for 3600 s, so that run may be gone/,
    ],
  ])('a lock from another machine is never taken over; %s', async (_name, age, code, why) => {
    const dir = await tmp('lock');
    const path = await writeLock(
      dir,
      { pid: 4242, host: 'nas-other', startedAt: '2024-05-01T02:00:00.000Z', bootId: 'b' },
      age,
    );
    const e = await failure(acquireLock(dir));
    expect(e.code).toBe(code);
    expect(e.file).toBe(path);
    expect(e.message).toContain(`pid 4242 on nas-other, started 2024-05-01T02:00:00.000Z`);
    expect(e.message).toContain(`lock file ${path}`);
    expect(e.message).toContain('taken on another machine (nas-other)');
    expect(e.message).toMatch(why);
    expect(e.message).toContain(`If you are sure that run is gone, clear the lock with: rm "${path}"`);
    expect(JSON.parse(await readFile(path, 'utf8')).host).toBe('nas-other');
  });

  it('of several processes taking over one stale lock at the same instant, exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = await tmp('lock-race');
      await writeLock(dir, { pid: await deadPid(), host: hostname(), startedAt: 'long ago' });
      const startAt = Date.now() + 3000;
      const racers = Array.from({ length: 4 }, () => holderProcess(dir, startAt, 2000));
      const outcomes = (await Promise.all(racers.map((r) => r.outcome))).sort();
      expect(outcomes, `round ${round}`).toEqual(['E_LOCKED', 'E_LOCKED', 'E_LOCKED', 'won']);
      await Promise.all(
        racers.map((r) => new Promise((res) => (r.child.exitCode !== null ? res(0) : r.child.on('exit', res)))),
      );
      expect(existsSync(join(dir, LOCK_NAME)), 'the winner released its lock').toBe(false);
    }
  });

  it('release removes only its own lock, and a filesystem error is E_LOCK_IO naming the path', async () => {
    const dir = await tmp('lock');
    const lock = await acquireLock(dir);
    const path = await writeLock(dir, { pid: 4242, host: 'nas-other', startedAt: 'x' });
    await lock.release();
    expect(existsSync(path)).toBe(true);
    const notAFolder = join(dir, LOCK_NAME);
    const e = await failure(acquireLock(notAFolder));
    expect(e.code).toBe('E_LOCK_IO');
    expect(e.message).toContain(join(notAFolder, LOCK_NAME));
  });
});

describe('the CLI and a stale lock', () => {
  it('a stale garbage lock is taken over (exit 0, not 70); a foreign one gives a clear error, never 70', async () => {
    const lib = await tmp('lock-src');
    await track(join(lib, 'a.flac'), { seconds: 1 });
    const out = await tmp('lock-out');
    await writeLock(out, '\0\0garbage', 60);
    const r = await cli([lib, '-o', out, '-p', 'flac', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/took over the lock/);
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
    const path = await writeLock(out, { pid: 4242, host: 'nas-other', startedAt: 'x' }, 3600);
    const foreign = await cli([lib, '-o', out, '-p', 'flac']);
    expect(foreign.code).toBe(2);
    expect(fatalLine(foreign.stderr)).toContain(`audiofan: error [E_LOCK_STALE_UNKNOWN]`);
    expect(fatalLine(foreign.stderr)).toContain(`rm "${path}"`);
  });
});
