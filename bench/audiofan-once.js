// One audiofan run in its own process, so its wall time and peak memory are its own.
// Usage: node bench/audiofan-once.js SRC OUT PRESETS JOBS [LOUDNESS=on|off] [QUEUE_URL]
//   -> prints JSON {wallSeconds, maxRssMB, selfCpuSeconds (this process: coordinator and worker threads), summary}
import { convertLibrary } from '../dist/src/index.js';

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
process.stdout.write(
  `${JSON.stringify({
    wallSeconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    selfCpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    exitCode: r.exitCode,
    summary: r.summary,
  })}\n`,
);
