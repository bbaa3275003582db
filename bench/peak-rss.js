/**
 * Preloaded into the CLI by bench/nightly.js (`node --import`): as the process exits, one NDJSON line
 * on stderr with its peak resident set (VmHWM from /proc/self/status, Linux) and its CPU time.
 */
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  let peakRssKb;
  try {
    peakRssKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    peakRssKb = undefined; // not Linux
  }
  const cpu = process.cpuUsage();
  const line = { event: 'bench-probe', peakRssKb, userMs: cpu.user / 1000, systemMs: cpu.system / 1000 };
  writeSync(2, `${JSON.stringify(line)}\n`);
});
