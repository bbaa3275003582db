/**
 * Run isolated ffmpeg passes, `lanes` at a time, interleaved (each master's passes one after another, so every
 * kind of pass meets the same mix of machine load), each through the stand-in ffmpeg (ffmpeg-spy.js) so that
 * every process's own CPU is known, and give each one's CPU seconds.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Output names in a pass's argv start with this; each lane gets its own folder for them. */
export const SCRATCH = '@scratch@';

function runOne(spy, argv, name, cwd) {
  return new Promise((res, rej) => {
    // stderr is read as audiofan reads it (a pipe), so ffmpeg's logging costs what it costs in the real run; a
    // command that writes its log as a report (-report) writes it in the lane's folder, as the real one did beside
    // its outputs.
    const c = spawn(spy.path, argv, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...spy.env, AUDIOFAN_BENCH_TAG: name },
    });
    let tail = '';
    const log = { lines: 0, bytes: 0 };
    c.stderr.on('data', (d) => {
      tail = (tail + d).slice(-2000);
      log.bytes += d.length;
      for (const b of d) if (b === 10 || b === 13) log.lines++;
    });
    c.on('error', rej);
    c.on('close', (code) =>
      code === 0
        ? res(log)
        : rej(new Error(`pass ${name}: ffmpeg ${argv.join(' ')} exited ${code}: ${tail.slice(-600)}`)),
    );
  });
}

/**
 * Run every pass of `perMaster` (a list, one entry per master, of { name: argv }) and resolve with the CPU
 * seconds of each, as cpu: [{ name: seconds }] by master, and logs: { name: { lines, bytes } } (stderr, lines ended
 * by \n or \r, summed over the masters). Outputs go to `scratch`/lane<k>, removed at the end.
 */
export async function passCpuSeconds(spy, perMaster, lanes, scratch, onProgress = () => {}) {
  const queue = perMaster.flatMap((passes, i) => Object.entries(passes).map(([name, argv]) => ({ i, name, argv })));
  const logs = {};
  let next = 0;
  const lane = async (k) => {
    const dir = join(scratch, `lane${k}`);
    await mkdir(dir, { recursive: true });
    while (next < queue.length) {
      const { i, name, argv } = queue[next++];
      onProgress(next, queue.length);
      const log = await runOne(
        spy,
        argv.map((t) => t.replace(SCRATCH, dir)),
        `${i}:${name}`,
        dir,
      );
      const sum = logs[name] ?? { lines: 0, bytes: 0 };
      logs[name] = { lines: sum.lines + log.lines, bytes: sum.bytes + log.bytes };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, lanes) }, (_, k) => lane(k)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const cpu = perMaster.map(() => ({}));
  for (const r of spy.read()) {
    const [, i, name] = /^(\d+):(.*)$/.exec(r.tag);
    cpu[Number(i)][name] = r.cpuSeconds;
  }
  return { cpu, logs };
}
