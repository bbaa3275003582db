/**
 * npm run bench -- --profile [--corpus DIR] [--tracks N --seconds S] [--presets ...] [--jobs N]
 *
 * Where one audiofan run's CPU goes, by part:
 *   1. the run itself, with a stand-in ffmpeg (lib/ffmpeg-spy.js) that records every ffmpeg's CPU and argv:
 *      main runs (decode once, every encoder, meter, hashes), output verification decodes, probes, the rest;
 *      and with AUDIOFAN_PROFILE set, so each worker thread records its own CPU by step (src/transcode/profile.ts),
 *      beside the coordinator thread's and the whole node process's;
 *   2. isolated passes over the run's own main commands (lib/ffmpeg-argv.js), interleaved master by master
 *      (lib/passes.js), so the main runs' CPU splits into start-up, decode, each output's filters (the resampler)
 *      and encoder, the loudness meter and the hashes, by difference with a decode-only pass;
 *   3. the main commands replayed among the passes: the replay minus the passes is what sharing one process
 *      changes, and the real run minus the replay is the drift between the two moments (load, caches, noise).
 * It costs about three times the run's CPU.
 */
import { rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { splitArgv, outputKind, passesOf } from './lib/ffmpeg-argv.js';
import { ffmpegSpy } from './lib/ffmpeg-spy.js';
import { measured } from './lib/measure.js';
import { passCpuSeconds, SCRATCH } from './lib/passes.js';
import { printTable, workerRows } from './lib/profile-table.js';

const here = new URL('.', import.meta.url).pathname;

/** What an ffmpeg the run started was for, from its argv. */
function purpose(split, argv, out) {
  // fluent-ffmpeg lists formats and encoders itself, once per thread, before its first command.
  if (!argv.includes('-i') && !argv.includes('-hide_banner')) return 'fluent';
  if (!argv.includes('-i') || argv.includes('lavfi')) return 'checks';
  if (!split.outputs.length) return 'probe';
  if (split.inputPath && !relative(out, split.inputPath).startsWith('..')) return 'verify';
  if (split.outputs.some((o) => outputKind(o).kind !== 'other')) return 'main';
  return 'other';
}

/** The real run, every ffmpeg recorded and every worker step timed. */
async function profiledRun({ corpus, presets, jobs, dir, ffmpeg }) {
  const out = join(dir, 'out');
  const steps = join(dir, 'worker-steps.ndjson');
  await rm(out, { recursive: true, force: true });
  await rm(steps, { force: true });
  const spy = ffmpegSpy(join(dir, 'spy'), ffmpeg);
  const m = await measured(process.execPath, [join(here, 'audiofan-once.js'), corpus, out, presets, String(jobs)], {
    env: { ...process.env, ...spy.env, AUDIOFAN_PROFILE: steps },
  });
  const res = JSON.parse(m.out);
  // Some files failing is still a run worth profiling (what was made is counted); nothing made is not.
  if (res.exitCode !== 0 && !res.summary?.outputsEncoded)
    throw new Error(`the audiofan run failed: ${JSON.stringify(res.summary)}`);
  if (res.exitCode !== 0) console.log(`(the run exited ${res.exitCode}: ${JSON.stringify(res.summary)})`);
  const runs = spy.read().map((r) => {
    const split = splitArgv(r.argv);
    return { ...r, split, purpose: purpose(split, r.argv, out) };
  });
  const jobsDone = readFileSync(steps, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { m, res, runs, jobsDone, out };
}

/** The main runs' CPU by part, from isolated passes over their own commands: [{ pass name: CPU s }] by master. */
async function passParts({ main, out, dir, ffmpeg, jobs }) {
  const presetOf = (o) => relative(out, o.target.replace(/^file:/, '')).split(sep)[0];
  const perMaster = main.map((r, i) => passesOf(r.split, presetOf, (key) => `${SCRATCH}/${i}-${key}`));
  const spy = ffmpegSpy(join(dir, 'pass-spy'), ffmpeg);
  let shown = 0;
  const { cpu, logs } = await passCpuSeconds(spy, perMaster, jobs, join(dir, 'scratch'), (n, total) => {
    if (n === total || n - shown >= total / 10) {
      shown = n;
      process.stderr.write(`  ${n} of ${total} pass runs started\n`);
    }
  });
  return { logs, masters: main.map((r, i) => ({ split: r.split, real: r.cpuSeconds, cpu: cpu[i], presetOf })) };
}

/**
 * Rows [label, CPU s] of the main runs: each master's passes minus its own decode pass (masters need not share
 * outputs or filters), summed over the masters; then what the passes leave unexplained.
 */
function mainRows(masters) {
  const parts = new Map();
  const add = (key, label, s) => {
    const p = parts.get(key) ?? parts.set(key, { label, s: 0 }).get(key);
    if (label.length > p.label.length) p.label = label;
    p.s += s;
  };
  for (const { split, real, cpu, presetOf } of masters) {
    let explained = cpu.decode;
    add('start', 'start-up, opening and probing the master', cpu.start);
    add('decode', 'decode', cpu.decode - cpu.start);
    for (const o of split.outputs) {
      const k = outputKind(o);
      if (k.kind === 'encoder') {
        const key = presetOf(o);
        const shaped = cpu[`shape:${key}`];
        if (shaped !== undefined) {
          const what = k.rate || k.filter?.includes('aresample') ? 'resampler and filters' : 'filters';
          add(
            `shape:${key}`,
            `${what} for ${key}: ${filterNames(k.filter)}${k.rate ? ` to ${k.rate} Hz` : ''}`,
            shaped - cpu.decode,
          );
        }
        add(`enc:${key}`, `encoder ${k.codec} for ${key} (and its muxer)`, cpu[`enc:${key}`] - (shaped ?? cpu.decode));
        explained += cpu[`enc:${key}`] - cpu.decode;
      }
    }
    if (cpu.loudness !== undefined) {
      const filter = split.outputs.map(outputKind).find((k) => k.kind === 'loudness')?.filter;
      add('loudness', `loudness meter (${filter})`, cpu.loudness - cpu.decode);
      explained += cpu.loudness - cpu.decode;
    }
    if (cpu.hash !== undefined) {
      add('hash', 'hashing the master (md5 muxer)', cpu.hash - cpu.decode);
      explained += cpu.hash - cpu.decode;
    }
    add('shared', 'the same commands replayed, minus the passes (outputs sharing a process)', cpu.replica - explained);
    add('drift', 'the real run minus its replay (machine load, caches, noise)', real - cpu.replica);
  }
  // Sharing and drift last, below the parts.
  const last = ['shared', 'drift'].map((k) => parts.get(k)).filter(Boolean);
  return [...parts.entries()]
    .filter(([k]) => k !== 'shared' && k !== 'drift')
    .map(([, p]) => p)
    .concat(last)
    .map((p) => [p.label, p.s]);
}

/** "channelmap, aresample resampler=soxr:precision=28:osr=48000". */
function filterNames(filter) {
  if (!filter) return '-ar';
  return filter
    .split(',')
    .map((f) => {
      const name = f.split('=', 1)[0];
      const opts = f.slice(name.length + 1);
      // The resampler's own options say which one and how precise; the rate is in the label already.
      if (name === 'aresample') {
        const rest = opts.replace(/:?osr=\d+/, '').replace(/^:/, '');
        return rest ? `aresample ${rest}` : "aresample (ffmpeg's own swr)";
      }
      return name;
    })
    .join(', ');
}

export async function benchProfile({ corpus, presets, jobs, work, ffmpeg }) {
  const dir = join(work, 'profile');
  console.log(`profiling one audiofan run of ${corpus} (presets ${presets}, jobs ${jobs}, loudness on) ...`);
  const run = await profiledRun({ corpus, presets, jobs, dir, ffmpeg });
  const byPurpose = (p) => run.runs.filter((r) => r.purpose === p);
  const sum = (rs) => rs.reduce((s, r) => s + r.cpuSeconds, 0);
  const main = byPurpose('main');
  console.log(`running isolated passes over its ${main.length} main ffmpeg commands ...`);
  const { masters, logs } = await passParts({ main, out: run.out, dir, ffmpeg, jobs });
  const ffmpegRows = [[`ffmpeg main runs (${main.length}, one per master), split by the passes`], ...mainRows(masters)];
  ffmpegRows.push(['other ffmpeg runs']);
  const others = [
    ['verify', 'output verification decodes'],
    ['probe', 'probing the sources (ffmpeg -i)'],
    ['checks', 'asking ffmpeg what it can do (-version, -encoders, a test encode, ...)'],
    ['fluent', "fluent-ffmpeg's own -formats and -encoders, per worker thread"],
    ['other', 'other runs (cover scaling, re-encodes)'],
  ];
  for (const [p, label] of others) {
    const rs = byPurpose(p);
    if (rs.length) ffmpegRows.push([`${label} (${rs.length} runs)`, sum(rs)]);
  }
  const { res } = run;
  const nodeRows = [
    ['node (audiofan)'],
    ['coordinator thread', res.coordinatorCpuSeconds],
    ...workerRows(run.jobsDone),
  ];
  const inThreads = nodeRows.reduce((s, r) => s + (r[1] ?? 0), 0);
  nodeRows.push(['other threads (libuv file I/O pool, GC, compiler)', res.nodeCpuSeconds - inThreads]);
  printTable([...ffmpegRows, ...nodeRows], {
    wall: run.m.seconds,
    ffmpegTotal: sum(run.runs),
    nodeTotal: res.nodeCpuSeconds,
    spyTotal: run.m.cpuSeconds,
    tagBytes: run.jobsDone.reduce((s, j) => s + (j.bytes['tag-write'] ?? 0), 0),
    outputs: res.summary?.outputsEncoded,
    mainLog: logs.replica,
  });
}
