// One audiofan run in its own process, so its wall time and peak memory are its own.
// Usage: node bench/audiofan-once.js SRC OUT PRESETS JOBS [LOUDNESS=on|off] [QUEUE_URL]  -> prints JSON {wallSeconds, maxRssMB, summary,
// nodeCpuSeconds (this process, every thread), coordinatorCpuSeconds (its main thread), ffmpegCpuSeconds (its
// children: every ffmpeg it ran)}
import { convertLibrary } from '../dist/src/index.js';
import { childrenCpuSeconds, threadCpuSeconds } from './lib/proc-tree.js';

const [src, out, presets, jobs, loudness = 'on', queue] = process.argv.slice(2);
const t0 = performance.now();
const r = await convertLibrary({
  sources: [src],
  output: out,
  presets: presets.split(','),
  jobs: Number(jobs),
  loudness: loudness === 'on',
  create: true,
  ...(queue ? { queue: { connection: queue } } : {}),
});
const wallSeconds = (performance.now() - t0) / 1000;
const { user, system } = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ wallSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024, exitCode: r.exitCode, summary: r.summary, nodeCpuSeconds: (user + system) / 1e6, ffmpegCpuSeconds: childrenCpuSeconds(), coordinatorCpuSeconds: threadCpuSeconds() })}\n`,
);
