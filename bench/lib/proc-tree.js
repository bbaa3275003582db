/**
 * What a measured command costs beyond its wall time, read from Linux's /proc: the CPU of every process it ran
 * (its whole tree, through the kernel's children accounting), how busy the machine was meanwhile, and the peak
 * of its tree's summed resident memory, sampled. Used by bench/measure.js for each round and by bench/profile.js.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc counts CPU time in these ticks on every Linux architecture that matters here. */
const TICKS = 100;
const PAGE = 4096;

/** The fields of a /proc/<pid>/stat line after the command name (which may hold spaces and parentheses). */
function statFields(text) {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds (user + system) of this process's children that have ended and been waited for, with theirs in
 * turn: a command's whole tree once it has exited. One 10 ms tick of rounding on the total.
 */
export function childrenCpuSeconds() {
  const f = statFields(readFileSync('/proc/self/stat', 'latin1'));
  return (Number(f[13]) + Number(f[14])) / TICKS;
}

/** CPU seconds the calling thread has run: the scheduler's nanosecond count (readFileSync runs on this thread). */
export function threadCpuSeconds() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e9;
  } catch {
    const f = statFields(readFileSync('/proc/thread-self/stat', 'latin1'));
    return (Number(f[11]) + Number(f[12])) / TICKS;
  }
}

/** The machine's CPU ticks so far: busy (user, nice, system, irq, softirq, steal) and in all. */
export function machineTicks() {
  const [, ...v] = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy, total: busy + idle + iowait };
}

/** The share of the machine's CPU that was busy between two machineTicks() readings (every process counted). */
export function machineBusyShare(before, after) {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

const kindOf = (comm) => (comm === 'ffmpeg' ? 'ffmpeg' : comm.startsWith('node') ? 'node' : 'other');

/**
 * Sample the summed resident memory of `rootPid` and all its descendants every `intervalMs` until stop().
 * Descendants are found by parent pid (this kernel has no /proc/<pid>/task/<tid>/children); a process seen once
 * stays counted while it lives, even if its parent exits first. stop() gives the peak of the sum, the peak of its
 * anonymous part (resident minus file-backed and shared pages: what no other process can share, so shared
 * libraries mapped by several ffmpeg processes are not counted twice), how the peak split by kind, and the most
 * processes seen at once; and, given `lanes`, for how long fewer ffmpeg processes than that ran (from the first
 * ffmpeg on: before it, the coordinator is still scanning), in all and at the end of the run.
 */
export function sampleTree(rootPid, intervalMs = 50, lanes = 0) {
  const tree = new Set([rootPid]);
  const outside = new Set();
  const peak = { rssMB: 0, anonMB: 0, byKind: {}, processes: 0, samples: 0 };
  // When fewer than `lanes` ffmpeg processes ran: in all, and at the end (after the last time there were enough).
  const lanesIdle = { lanes, seconds: 0, tailSeconds: 0, started: false };
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    let pids;
    try {
      pids = readdirSync('/proc').filter((d) => d.charCodeAt(0) <= 57);
    } catch {
      return;
    }
    const present = new Set();
    for (const d of pids) {
      const pid = Number(d);
      if (!pid) continue;
      present.add(pid);
      if (tree.has(pid) || outside.has(pid)) continue;
      try {
        const ppid = Number(statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'))[1]);
        (tree.has(ppid) ? tree : outside).add(pid);
      } catch {}
    }
    // A pid that went away may come back as someone else's process: forget it.
    for (const pid of outside) if (!present.has(pid)) outside.delete(pid);
    let rss = 0;
    let anon = 0;
    let n = 0;
    const byKind = {};
    let ffmpegs = 0;
    for (const pid of tree) {
      if (!present.has(pid)) {
        if (pid !== rootPid) tree.delete(pid);
        continue;
      }
      try {
        const [, resident, shared] = readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ').map(Number);
        const kind = kindOf(readFileSync(`/proc/${pid}/comm`, 'latin1').trim());
        rss += resident;
        anon += resident - shared;
        byKind[kind] = (byKind[kind] ?? 0) + resident;
        if (kind === 'ffmpeg') ffmpegs++;
        n++;
      } catch {}
    }
    peak.samples++;
    if (ffmpegs) lanesIdle.started = true;
    if (lanesIdle.started && ffmpegs < lanes) {
      lanesIdle.seconds += dt;
      lanesIdle.tailSeconds += dt;
    } else if (lanesIdle.started) lanesIdle.tailSeconds = 0;
    peak.processes = Math.max(peak.processes, n);
    peak.anonMB = Math.max(peak.anonMB, (anon * PAGE) / 2 ** 20);
    if ((rss * PAGE) / 2 ** 20 > peak.rssMB) {
      peak.rssMB = (rss * PAGE) / 2 ** 20;
      peak.byKind = Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, (v * PAGE) / 2 ** 20]));
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { ...peak, lanesIdle };
    },
  };
}
