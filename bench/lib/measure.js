/**
 * One measured command for the bench: its wall time, the CPU its whole process tree used, how much of the
 * machine's cores that kept busy, and its tree's peak resident memory. bench/run.js calls it for every round.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { childrenCpuSeconds, machineBusyShare, machineTicks, sampleTree } from './proc-tree.js';

/**
 * Run `cmd args` to the end (stdout collected, stderr shown) and resolve with
 * { seconds, out, cpuSeconds (the whole tree's user + system), machineBusy (share of every core busy meanwhile,
 * anyone's processes counted), memory (sampleTree's peak) }. Rejects when it exits non-zero.
 * Nothing else this process starts may end meanwhile: their CPU would be counted too. `env`: the command's environment;
 * `lanes` (default: cores): how many ffmpeg processes at once keep the machine busy (memory.lanesIdle).
 */
export function measured(cmd, args, { sampleMs = 50, env, lanes = availableParallelism() } = {}) {
  return new Promise((res, rej) => {
    const cpu0 = childrenCpuSeconds();
    const m0 = machineTicks();
    const t0 = performance.now();
    let out = '';
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...(env ? { env } : {}) });
    const sampler = sampleTree(c.pid, sampleMs, lanes);
    c.stdout.on('data', (d) => (out += d));
    c.on('error', rej);
    c.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const memory = sampler.stop();
      if (code !== 0) return rej(new Error(`${cmd} exited ${code}`));
      res({
        seconds,
        out,
        cpuSeconds: childrenCpuSeconds() - cpu0,
        machineBusy: machineBusyShare(m0, machineTicks()),
        memory,
      });
    });
  });
}

/** Share of all cores' wall time that `cpuSeconds` fills: cpu ÷ cores ÷ wall. */
export function busyShare(cpuSeconds, wallSeconds, cores = availableParallelism()) {
  return cpuSeconds / cores / wallSeconds;
}

const pct = (x) => `${(100 * x).toFixed(0)} %`;
const mb = (x) => `${x.toFixed(0)} MB`;

/**
 * The line printed under a round for one side: busy share of its ffmpeg processes (`ffmpegCpuSeconds`, when the
 * side can tell them apart; else everything it ran counts as ffmpeg), of everything it ran, of the machine (other
 * people's work included), how long fewer ffmpeg processes ran than there are cores, and its tree's peak memory.
 */
export function describe(label, m, ffmpegCpuSeconds = m.cpuSeconds) {
  const { memory: p } = m;
  const kinds = Object.entries(p.byKind)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${mb(v)}`)
    .join(', ');
  const idle = p.lanesIdle;
  return (
    `    ${label}: cores busy ${pct(busyShare(ffmpegCpuSeconds, m.seconds))} with ffmpeg` +
    ` (${ffmpegCpuSeconds.toFixed(1)} CPU s), ${pct(busyShare(m.cpuSeconds, m.seconds))} with all it ran` +
    ` (${m.cpuSeconds.toFixed(1)} s), machine ${pct(m.machineBusy)};` +
    ` < ${idle.lanes} ffmpeg for ${idle.seconds.toFixed(1)} s (${idle.tailSeconds.toFixed(1)} s at the end)\n` +
    `    ${' '.repeat(label.length)}  peak RSS ${mb(p.rssMB)} (${kinds}; ${mb(p.anonMB)} anonymous),` +
    ` up to ${p.processes} processes at once`
  );
}
