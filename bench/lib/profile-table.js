/**
 * bench --profile's output: the worker threads' records (src/transcode/profile.ts) summed into rows, and the one
 * table of parts with their CPU seconds and share of the run's total.
 */

const STEPS = {
  'ffmpeg-log': 'starting ffmpeg, reading its log while it runs',
  verify: 'bit-exact proof (starting its decode, comparing)',
  gapless: 'gapless sample count written into the header',
  'read-back': 'output read-back (music-metadata)',
  'cover-load': 'cover read from the source',
  'cover-fit': 'cover fitted to each container',
  'tag-write': 'tag and cover writes',
};

/** Rows [label, CPU s] for the worker threads: each step, the rest of their jobs, and outside jobs. */
export function workerRows(jobs) {
  const steps = {};
  const bytes = {};
  const threads = new Map();
  let inJobs = 0;
  for (const j of jobs) {
    inJobs += j.job;
    threads.set(j.thread, Math.max(threads.get(j.thread) ?? 0, j.threadCpu));
    for (const [k, v] of Object.entries(j.steps)) steps[k] = (steps[k] ?? 0) + v;
    for (const [k, v] of Object.entries(j.bytes)) bytes[k] = (bytes[k] ?? 0) + v;
  }
  const n = `${threads.size} threads, ${jobs.length} jobs`;
  const rows = Object.entries(steps).map(([k, v]) => [
    `worker ${STEPS[k] ?? k}${bytes[k] ? ` (${(bytes[k] / 2 ** 20).toFixed(1)} MB written)` : ''}`,
    v,
  ]);
  const stepped = Object.values(steps).reduce((s, v) => s + v, 0);
  rows.push([`worker jobs' rest (stream info, stat, results; ${n})`, inJobs - stepped]);
  const total = [...threads.values()].reduce((s, v) => s + v, 0);
  rows.push(['worker threads outside jobs (start-up, loading modules)', total - inJobs]);
  return rows;
}

const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padL = (s, n) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/**
 * Print the table: part, CPU s, % of the total (every ffmpeg the run started plus the node process). A row with
 * a label only heads the rows after it, and shows their sum.
 */
export function printTable(rows, info) {
  const total = info.ffmpegTotal + info.nodeTotal;
  const w = Math.max(...rows.map((r) => r[0].length + 2), 20);
  const line = (label, s) =>
    `${pad(label, w)}  ${padL(s.toFixed(2), 6)}   ${padL(((100 * s) / total).toFixed(1), 5)} %`;
  console.log(`\n${pad('part', w)}   CPU s   % of total`);
  for (const [i, [label, s]] of rows.entries()) {
    if (s !== undefined) {
      console.log(line(`  ${label}`, s));
      continue;
    }
    const end = rows.findIndex((r, k) => k > i && r[1] === undefined);
    console.log(
      line(
        label,
        rows.slice(i + 1, end < 0 ? undefined : end).reduce((t, r) => t + r[1], 0),
      ),
    );
  }
  console.log(`${pad('total', w)}  ${padL(total.toFixed(2), 6)}   100.0 %`);
  console.log(
    `\nffmpeg ${info.ffmpegTotal.toFixed(2)} s + node ${info.nodeTotal.toFixed(2)} s over ${info.wall.toFixed(2)} s of wall` +
      ` (${info.outputs ?? '?'} outputs); tag writes wrote ${(info.tagBytes / 2 ** 20).toFixed(1)} MB.` +
      ` The stand-in ffmpeg's bash cost ${(info.spyTotal - total).toFixed(2)} s more, counted in no row.`,
  );
  if (info.mainLog)
    console.log(
      `The main commands write ${info.mainLog.lines} lines (${(info.mainLog.bytes / 2 ** 20).toFixed(1)} MB) to` +
        ' stderr, which the workers read line by line.',
    );
}
