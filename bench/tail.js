#!/usr/bin/env node
/**
 * npm run bench -- --tail [--library hires|ten] [--before DIR] [--plain] [--rounds 1] [--jobs N] [--presets flac,mp3-v0,opus-128]
 *
 * Does the schedule keep every core busy to the end? Converts one generated library (cached in bench/.work) and
 * prints, per run: wall time, ffmpeg CPU (all its processes, user + system), and the busy share
 * = ffmpeg CPU ÷ cores ÷ wall (1.00: every core ran ffmpeg the whole time).
 *   --library hires: one long 96 kHz/24-bit album (3 tracks x 6 min) + 30 short 44.1 kHz tracks (30-59 s);
 *   --library ten:   10 CD tracks of 2-6 min (the tail of a small run);
 *   --before DIR:    also run the audiofan built in DIR (e.g. an older commit: `git archive <rev> | tar -x -C DIR`,
 *                    node_modules linked, `npm run build` there), alternating with this one;
 *   --plain:         also run plain ffmpeg, one process per output, `xargs -P N` (no loudness; bench/run.js's baseline).
 *   --simulate:      no ffmpeg: play the library through the old order (plan order, two-ended) and the new schedule
 *                    with cost.ts's estimates as the jobs' true times; prints each one's end and slot share.
 * Loudness on (the default). Each run is its own process; CPU is read with bash's `times` (children's rusage).
 * On a machine shared with other work the CPU figure drops with the contention, so a second figure is
 * printed that does not: the slot share = the time ffmpeg processes were running, counting at most N at once,
 * ÷ N ÷ wall (ffmpeg is started through a wrapper that logs when each one starts and ends). Below 1.00 it
 * is a lane left idle by the schedule (or the coordinator between jobs).
 * Keep rounds low: one run of either library takes 30-60 s on 2 cores.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = new URL('.', import.meta.url).pathname;
const work = join(here, '.work');

// The child side: one conversion with the audiofan in argv[3]; prints its wall time and its own CPU (all threads).
if (process.argv[2] === '--once') {
  const [, , , dist, src, out, presets, jobs, ffmpeg] = process.argv;
  const { convertLibrary } = await import(join(dist, 'src/index.js'));
  const start = Date.now() / 1000;
  const t0 = performance.now();
  const r = await convertLibrary({
    sources: [src],
    output: out,
    presets: presets.split(','),
    jobs: +jobs,
    create: true,
    ffmpegPath: ffmpeg,
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  const ownCpu = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ start, wall, ownCpu, exitCode: r.exitCode })}\n`);
  process.exit(0);
}

const { values: a } = parseArgs({
  options: {
    tail: { type: 'boolean' },
    library: { type: 'string', default: 'hires' },
    before: { type: 'string' },
    plain: { type: 'boolean', default: false },
    simulate: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
    jobs: { type: 'string', default: String(availableParallelism()) },
    presets: { type: 'string', default: 'flac,mp3-v0,opus-128' },
  },
});
const jobs = Number(a.jobs);
const after = resolve(here, '..', 'dist');
const { locateFfmpeg, loadPresets, selectPresets, inspectFfmpeg } = await import(join(after, 'src/index.js'));
const { writeCover, writeTrack } = await import(join(after, 'src/demo/synth.js'));
const ffmpeg = locateFfmpeg().path;

/** The library's tracks: [relative path, seconds, sample rate, bits, album]. */
function tracks(kind) {
  if (kind === 'hires')
    return [
      ...[1, 2, 3].map((i) => [`Hi-Res Artist/Long Album/0${i} Movement.flac`, 360, 96000, 24, 'Long Album']),
      ...Array.from({ length: 30 }, (_, i) => [
        `Singles Artist/Album ${Math.floor(i / 10) + 1}/${String((i % 10) + 1).padStart(2, '0')} Song.flac`,
        30 + ((i * 7) % 30),
        44100,
        16,
        `Album ${Math.floor(i / 10) + 1}`,
      ]),
    ];
  if (kind === 'ten')
    return Array.from({ length: 10 }, (_, i) => [
      `CD Artist/CD Album/${String(i + 1).padStart(2, '0')} Track.flac`,
      120 + Math.round((i * 240) / 9),
      44100,
      16,
      'CD Album',
    ]);
  throw new Error(`--library: hires or ten, not ${kind}`);
}

async function makeLibrary(kind) {
  const dir = join(work, `tail-${kind}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const art = join(dir, 'cover.jpg');
  await writeCover(ffmpeg, art, 600);
  const list = tracks(kind);
  console.log(`making the "${kind}" library (${list.length} tracks) in ${dir} ...`);
  let next = 0;
  const lane = async () => {
    while (next < list.length) {
      const i = next++;
      const [rel, seconds, sampleRate, bits, album] = list[i];
      const artist = rel.split('/')[0];
      await writeTrack(ffmpeg, {
        path: join(dir, rel),
        seconds,
        sampleRate,
        bits,
        seed: i,
        cover: art,
        tags: { TITLE: `Track ${i + 1}`, ARTIST: artist, ALBUMARTIST: artist, ALBUM: album, DATE: '2024' },
      });
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  await writeFile(join(dir, '.complete'), '');
  return dir;
}

/** Run `script` under bash; its stdout, and the CPU seconds of every process it waited for (bash's `times`). */
function timed(script) {
  return new Promise((res, rej) => {
    let out = '';
    const c = spawn('bash', ['-c', `${script}\ntimes >&2`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    const t0 = performance.now();
    c.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const times = err.trim().split('\n').slice(-1)[0].trim().split(/\s+/);
      const sec = (s) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(s);
        return m ? 60 * +m[1] + +m[2] : Number.NaN;
      };
      if (code !== 0) return rej(new Error(`exited ${code}: ${err}`));
      res({ out, wall, childCpu: sec(times[0]) + sec(times[1]) });
    });
  });
}

/** The ffmpeg wrapper that logs each process's start and end (epoch seconds) to `log`. */
async function wrapper(log) {
  const path = join(work, 'ffmpeg-logged.sh');
  const body = `#!/bin/sh\necho "+ $(date +%s.%N)" >> ${q(log)}\n${q(ffmpeg)} "$@"\nrc=$?\necho "- $(date +%s.%N)" >> ${q(log)}\nexit $rc\n`;
  await writeFile(path, body, { mode: 0o755 });
  await rm(log, { force: true });
  return path;
}

/** Seconds ffmpeg ran in [start, start + wall], at most `jobs` processes counted at once, ÷ jobs ÷ wall. */
async function slotShare(log, start, wall) {
  const events = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => [l[0] === '+' ? 1 : -1, Number(l.slice(2))])
    .sort((x, y) => x[1] - y[1]);
  let n = 0;
  let at = start;
  let busy = 0;
  for (const [d, t] of events) {
    const now = Math.min(Math.max(t, start), start + wall);
    busy += Math.min(n, jobs) * (now - at);
    at = now;
    n += d;
  }
  return busy / jobs / wall;
}

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

async function runAudiofan(dist, src) {
  const out = join(work, 'tail-out');
  await rm(out, { recursive: true, force: true });
  const log = join(work, 'ffmpeg-times.log');
  const ff = await wrapper(log);
  const argv = [process.execPath, join(here, 'tail.js'), '--once', dist, src, out, a.presets, jobs, ff];
  const r = await timed(argv.map(q).join(' '));
  const o = JSON.parse(r.out);
  if (o.exitCode !== 0) throw new Error(`audiofan (${dist}) exited ${o.exitCode}`);
  return {
    wall: o.wall,
    ffmpegCpu: r.childCpu - o.ownCpu,
    nodeCpu: o.ownCpu,
    slots: await slotShare(log, o.start, o.wall),
  };
}

async function runPlain(src) {
  const { outputRecipe } = await import(join(after, 'src/plan/recipe.js'));
  const { outputRelPath } = await import(join(after, 'src/plan/plan.js'));
  const { probeFile } = await import(join(after, 'src/sources/probe.js'));
  const { scanSources } = await import(join(after, 'src/sources/scan.js'));
  const info = await inspectFfmpeg(ffmpeg);
  const presets = selectPresets(loadPresets(), a.presets.split(','));
  const out = join(work, 'tail-plain');
  await rm(out, { recursive: true, force: true });
  const log = join(work, 'ffmpeg-times.log');
  const ff = await wrapper(log);
  const lines = [];
  for (const f of scanSources([src]).files) {
    const r = await probeFile(f.path, { ffmpegPath: ffmpeg });
    if (r.kind !== 'lossless') continue;
    const s = { ...r.source, root: f.root, rel: f.rel };
    for (const p of presets) {
      const target = join(out, outputRelPath(p, s));
      await mkdir(join(target, '..'), { recursive: true });
      const { args } = outputRecipe(p, s, { soxr: info.soxr });
      lines.push(
        [ff, '-nostdin', '-v', 'error', '-y', '-i', `file:${s.path}`, ...args, `file:${target}`].map(q).join(' '),
      );
    }
  }
  const list = join(work, 'tail-plain.txt');
  await writeFile(list, lines.join('\0'));
  const start = Date.now() / 1000;
  const r = await timed(`xargs -0 -P ${jobs} -I{} sh -c '{}' < ${q(list)}`);
  if (!r.wall || lines.length === 0) throw new Error('plain ffmpeg: nothing ran');
  return { wall: r.wall, ffmpegCpu: r.childCpu, nodeCpu: 0, slots: await slotShare(log, start, r.wall) };
}

if (a.simulate) {
  await simulate(a.library);
  process.exit(0);
}

/** The library's jobs as the planner makes them (3-preset ladder: FLAC at the master's rate, MP3 at 44.1 or
 *  48 kHz, Opus at 48 kHz), loudness measured. */
function plannedJobs(kind) {
  const out = (id, encoder, sampleRate) => ({ preset: { id, encoder }, format: { sampleRate, channels: 2 } });
  return tracks(kind).map(([rel, seconds, rate]) => ({
    kind: 'encode',
    source: { path: rel, duration: seconds, sampleRate: rate, channels: 2 },
    outputs: [
      out('flac', 'flac', rate),
      out('mp3-v0', 'libmp3lame', rate === 44100 ? 44100 : 48000),
      out('opus-128', 'libopus', 48000),
    ],
    measureLoudness: true,
  }));
}

/** Lanes taking jobs as they free up; `take(lastLane, now)` gives a job id and its cost. Returns the end. */
function play(lanes, take, onTime = () => {}, onEnd = () => {}) {
  const running = []; // { id, lane, start, end, cost, duration }
  let now = 0;
  const free = Array.from({ length: lanes }, (_, i) => i);
  for (;;) {
    for (const r of running) onTime(r.id, (r.duration * (now - r.start)) / (r.end - r.start));
    while (free.length) {
      const lane = free.shift();
      const t = take(lane === lanes - 1);
      if (!t) break;
      running.push({ id: t.id, lane, start: now, end: now + t.cost, duration: t.duration });
    }
    if (!running.length) return now;
    running.sort((x, y) => x.end - y.end);
    const done = running.shift();
    now = done.end;
    onEnd(done.id);
    free.push(done.lane);
  }
}

async function simulate(kind) {
  const { Schedule, PIECE_OVERHEAD_SECONDS } = await import(join(after, 'src/transcode/schedule.js'));
  const { jobCost } = await import(join(after, 'src/transcode/cost.js'));
  const jobs = plannedJobs(kind);
  const work = jobs.reduce((x, j) => x + jobCost(j), 0);
  // Before: plan order (duration x rate x channels, longest first), two-ended: the last lane from the short end.
  const old = jobs
    .map((_j, i) => i)
    .sort((x, y) => {
      const c = (j) => j.source.duration * j.source.sampleRate;
      return c(jobs[y]) - c(jobs[x]);
    });
  let front = 0;
  let back = old.length - 1;
  const before = play(Math.min(jobs.length, Number(a.jobs)), (last) => {
    if (front > back) return undefined;
    const id = last ? old[back--] : old[front++];
    return { id, cost: jobCost(jobs[id]) + PIECE_OVERHEAD_SECONDS, duration: jobs[id].source.duration };
  });
  const sched = new Schedule(jobs, Number(a.jobs), true);
  let spent = 0;
  const afterEnd = play(
    Number(a.jobs),
    (last) => {
      const id = sched.take(last);
      if (id === undefined) return undefined;
      const cost = jobCost(sched.all[id]) + PIECE_OVERHEAD_SECONDS;
      spent += cost;
      return { id, cost, duration: sched.all[id].source.duration };
    },
    (id, t) => sched.time(id, t),
    (id) => sched.released(id),
  );
  const pieces = sched.all.length - jobs.length;
  const n = Number(a.jobs);
  console.log(
    `library "${kind}", ${n} lanes, estimated work ${work.toFixed(1)} CPU s (ideal end ${(work / n).toFixed(1)} s)`,
  );
  console.log(
    `  before (plan order, two-ended): end ${before.toFixed(1)} s, slot share ${((100 * (work + jobs.length * PIECE_OVERHEAD_SECONDS)) / n / before).toFixed(1)} %`,
  );
  console.log(
    `  after (costliest first, tail cut): end ${afterEnd.toFixed(1)} s, slot share ${((100 * spent) / n / afterEnd).toFixed(1)} % (${pieces} pieces cut)`,
  );
}

const src = await makeLibrary(a.library);
const contenders = [
  ...(a.before ? [['before', () => runAudiofan(resolve(a.before, 'dist'), src)]] : []),
  ['after', () => runAudiofan(after, src)],
  ...(a.plain ? [['plain ffmpeg', () => runPlain(src)]] : []),
];
console.log(
  `library "${a.library}"; presets ${a.presets}; jobs ${jobs}; ${availableParallelism()} cores; ffmpeg ${ffmpeg}`,
);
const rows = new Map(contenders.map(([name]) => [name, []]));
for (let r = 1; r <= Number(a.rounds); r++) {
  for (const [name, run] of contenders) {
    const m = await run();
    rows.get(name).push(m);
    const busy = m.ffmpegCpu / jobs / m.wall;
    console.log(
      `  round ${r} ${name.padEnd(12)} wall ${m.wall.toFixed(1)} s  ffmpeg CPU ${m.ffmpegCpu.toFixed(1)} s  node CPU ${m.nodeCpu.toFixed(1)} s  busy ${(100 * busy).toFixed(1)} %  slots ${(100 * m.slots).toFixed(1)} %`,
    );
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
console.log('');
for (const [name, ms] of rows) {
  const wall = median(ms.map((m) => m.wall));
  const busy = median(ms.map((m) => m.ffmpegCpu / jobs / m.wall));
  const slots = median(ms.map((m) => m.slots));
  console.log(
    `${name.padEnd(12)} wall ${wall.toFixed(1)} s (median of ${ms.length})  busy share ${(100 * busy).toFixed(1)} %  slot share ${(100 * slots).toFixed(1)} %`,
  );
}
