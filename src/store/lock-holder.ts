/**
 * Who holds an output folder's lock, and whether that holder is provably gone: the judgement behind take-over.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file records: enough to prove later that its run is gone, or to tell a person who holds it. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** /proc/<pid>/stat field 22 (clock ticks after boot): with the pid, it names one process, so pid reuse shows. */
  procStart?: number;
  /** /proc/sys/kernel/random/boot_id: a different one means the machine restarted and every pid is new. */
  bootId?: string;
  /** /etc/machine-id: two machines may share a hostname (every Raspberry Pi is "raspberrypi"). */
  machineId?: string;
  /** readlink /proc/self/ns/pid: pids mean nothing across pid namespaces (containers on one kernel). */
  pidNs?: string;
  /** Random per lock, so release removes only its own lock, even in a process that tried twice. */
  token?: string;
}

/** What /proc says about a live process; undefined where /proc is missing (macOS) or hidden. */
export interface ProcFacts {
  state: string;
  start: number;
  argv: string[];
}

export type Verdict =
  | { kind: 'stale'; reason: string }
  | { kind: 'live' }
  /** Another machine or pid namespace, or a live pid that /proc cannot tell apart: not checkable from here. */
  | { kind: 'unknown'; why: string };

const readText = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const readLink = (p: string): string | undefined => {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
};

/** Facts about process `pid` from /proc. */
export function procFacts(pid: number): ProcFacts | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields resume after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(rest[22 - 3]);
  if (!Number.isFinite(start)) return undefined;
  const argv = (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
  return { state: rest[0], start, argv };
}

let machine: Omit<LockInfo, 'pid' | 'startedAt' | 'token' | 'procStart'> | undefined;

/** This machine's identity, read once. */
export function thisMachine(): Omit<LockInfo, 'pid' | 'startedAt' | 'token' | 'procStart'> {
  if (!machine) {
    const bootId = readText('/proc/sys/kernel/random/boot_id')?.trim();
    const machineId = readText('/etc/machine-id')?.trim();
    const pidNs = readLink('/proc/self/ns/pid');
    machine = {
      host: hostname(),
      ...(bootId ? { bootId } : {}),
      ...(machineId ? { machineId } : {}),
      ...(pidNs ? { pidNs } : {}),
    };
  }
  return machine;
}

/** The record this process writes into a lock it takes. */
export function describeSelf(token: string): LockInfo {
  const procStart = procFacts(process.pid)?.start;
  return {
    pid: process.pid,
    ...thisMachine(),
    startedAt: new Date().toISOString(),
    ...(procStart !== undefined ? { procStart } : {}),
    token,
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Generous on purpose: mistaking some other program for audiofan only means "locked", never a stolen lock. */
function looksLikeAudiofan(argv: string[]): boolean {
  return argv.length > 0 && (/node|audiofan|bun|deno|electron/i.test(argv[0]) || argv.some((a) => /audiofan/i.test(a)));
}

/** The parsed lock record, or undefined when the text is not one (empty, truncated, garbage). */
export function parseLockInfo(text: string): LockInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  // pid 0 and negative pids are process groups to kill(): never let a lock file name one.
  if (
    !Number.isSafeInteger(o.pid) ||
    (o.pid as number) <= 0 ||
    typeof o.host !== 'string' ||
    typeof o.startedAt !== 'string'
  )
    return undefined;
  const info: LockInfo = { pid: o.pid as number, host: o.host, startedAt: o.startedAt };
  if (typeof o.procStart === 'number') info.procStart = o.procStart;
  for (const k of ['bootId', 'machineId', 'pidNs', 'token'] as const) if (typeof o[k] === 'string') info[k] = o[k];
  return info;
}

/** A fact both records know and that differs; unknown on either side proves nothing. */
const differs = (a?: string, b?: string) => a !== undefined && b !== undefined && a !== b;

/**
 * Is the holder provably gone? Stale only on proof: a lock we cannot check is never taken over,
 * because two runs writing one folder can corrupt the manifest and each other's outputs.
 */
export function judgeHolder(h: LockInfo, here = thisMachine(), alive = pidAlive, proc = procFacts): Verdict {
  if (h.host !== here.host || differs(h.machineId, here.machineId))
    return { kind: 'unknown', why: `it was taken on another machine (${h.host})` };
  if (differs(h.bootId, here.bootId))
    return { kind: 'stale', reason: 'this machine has restarted since (its boot id changed)' };
  if (differs(h.pidNs, here.pidNs))
    return { kind: 'unknown', why: `it was taken in another pid namespace (${h.pidNs}, a container?) on ${h.host}` };
  if (!alive(h.pid)) return { kind: 'stale', reason: `process ${h.pid} is gone` };
  const now = proc(h.pid);
  if (!now) return { kind: 'unknown', why: `process ${h.pid} is alive, but /proc cannot show whether it is that run` };
  if (now.state === 'Z') return { kind: 'stale', reason: `process ${h.pid} has exited (a zombie)` };
  if (h.procStart !== undefined && h.procStart !== now.start) {
    return {
      kind: 'stale',
      reason: `pid ${h.pid} now belongs to another process (started at tick ${now.start}, not ${h.procStart})`,
    };
  }
  if (!looksLikeAudiofan(now.argv)) {
    return {
      kind: 'stale',
      reason: `pid ${h.pid} now belongs to another program (${now.argv[0] ?? 'a kernel thread'})`,
    };
  }
  return { kind: 'live' };
}
