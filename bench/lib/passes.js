/**
 * Run a batch of ffmpeg commands, `lanes` at a time, and return the CPU seconds they used together (the
 * kernel's children accounting: exact to a 10 ms tick on the batch's total, whatever else the machine runs).
 */
import { spawn } from 'node:child_process';
import { childrenCpuSeconds } from './proc-tree.js';

function runOne(ffmpeg, argv) {
  return new Promise((res, rej) => {
    // stderr is read as audiofan reads it (a pipe), so ffmpeg's logging costs what it costs in the real run.
    const c = spawn(ffmpeg, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    c.stderr.on('data', (d) => {
      tail = (tail + d).slice(-2000);
    });
    c.on('error', rej);
    c.on('close', (code) =>
      code === 0 ? res() : rej(new Error(`ffmpeg ${argv.join(' ')} exited ${code}: ${tail.trim().slice(-600)}`)),
    );
  });
}

/** CPU seconds used by running every argv of `batch`. Nothing else this process starts may end meanwhile. */
export async function batchCpuSeconds(ffmpeg, batch, lanes) {
  const before = childrenCpuSeconds();
  let next = 0;
  const lane = async () => {
    while (next < batch.length) await runOne(ffmpeg, batch[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return childrenCpuSeconds() - before;
}
