#!/usr/bin/env node
/**
 * npm run bench [-- --serve (see bench/serve.js)] [-- --corpus DIR] [--tracks 24] [--seconds 60] [--presets flac,mp3-v0,opus-128] [--jobs N] [--rounds 2]
 * npm run bench -- --tail (see bench/tail.js): wall time and busy share on a hi-res album + singles, or 10 CD tracks
 * npm run bench -- --queue [same options]: the local pool against 1 coordinator + 2 worker processes (bench/queue.js)
 * npm run bench -- --resampler: ffmpeg's resampler against soxr, quality and CPU (bench/resampler.js)
 *
 * Converts a corpus of FLAC masters both ways and prints wall times and their ratio:
 *   1. audiofan with everything on (loudness tags, covers, all tags, output verification, the bit-exact proof of
 *      lossless copies and the master's integrity check): one ffmpeg per source, decoding once for all presets;
 *   2. plain ffmpeg, one process per output, N at a time with `xargs -P N` (N = cores), with exactly the encoder
 *      arguments audiofan uses and nothing else (no loudness, no tags, no checks);
 *   3. with everything on, the feature floor (--no-floor leaves it out): plain ffmpeg doing only what audiofan's
 *      features need from ffmpeg, with no node at all (see "feature floor" below).
 * Rounds alternate (audiofan, plain, audiofan, ...) for --rounds rounds; verdicts use medians. Targets (issue 10):
 * <= 0.95 on the real-music corpus, <= 0.97 on its first 10 CD tracks (--first 10). Also shown: audiofan with
 * --no-loudness against the same baseline.
 * --first N: only the first N 44.1 kHz/16-bit sources (path order), hard-linked into bench/.work/first-N.
 * Without --corpus a music-like corpus is generated (cached in bench/.work).
 * ../shared/bench/make-real-corpus.sh builds the real-music corpus.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { locateFfmpeg, loadPresets, selectPresets, inspectFfmpeg } from '../dist/src/index.js';
import { outputRecipe } from '../dist/src/plan/recipe.js';
import { outputRelPath } from '../dist/src/plan/plan.js';
import { ebur128Filter } from '../dist/src/tagging/loudness.js';
import { hashOutputArgs } from '../dist/src/transcode/hash-plan.js';
import { probeFile } from '../dist/src/sources/probe.js';
import { scanSources } from '../dist/src/sources/scan.js';
import { writeCover, writeTrack } from '../dist/src/demo/synth.js';
import { describe, measured } from './lib/measure.js';

// npm run bench -- --serve: the server's figures instead (bench/serve.js, its own options).
if (process.argv.includes('--serve')) {
  await import('./serve.js');
  process.exit(0);
}
// npm run bench -- --tail: wall time and busy share of the schedule's tail instead (bench/tail.js, its own options).
if (process.argv.includes('--tail')) {
  await import('./tail.js');
  process.exit(0);
}
// npm run bench -- --resampler: swr against soxr, quality and CPU (bench/resampler.js).
if (process.argv.includes('--resampler')) {
  await import('./resampler.js');
  process.exit(0);
}

const _exec = promisify(execFile);
const here = new URL('.', import.meta.url).pathname;
const { values: a } = parseArgs({
  options: {
    corpus: { type: 'string' },
    tracks: { type: 'string', default: '24' },
    seconds: { type: 'string', default: '60' },
    presets: { type: 'string', default: 'flac,mp3-v0,opus-128' },
    jobs: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '2' },
    queue: { type: 'boolean', default: false },
    first: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
  },
});
const jobs = Number(a.jobs);
const ffmpeg = locateFfmpeg().path;
const work = join(here, '.work');

async function makeCorpus() {
  const dir = join(work, `corpus-${a.tracks}x${a.seconds}s`);
  if (existsSync(join(dir, '.complete'))) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const art = join(dir, 'cover.jpg');
  await writeCover(ffmpeg, art, 600);
  const n = Number(a.tracks);
  console.log(`making a corpus of ${n} music-like tracks x ${a.seconds} s in ${dir} ...`);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const album = `Album ${Math.floor(i / 12) + 1}`;
      await writeTrack(ffmpeg, {
        path: join(dir, 'Bench Artist', album, `${String((i % 12) + 1).padStart(2, '0')} Track ${i + 1}.flac`),
        seconds: Number(a.seconds),
        seed: i,
        cover: art,
        tags: {
          TITLE: `Track ${i + 1}`,
          ARTIST: 'Bench Artist',
          ALBUM: album,
          ALBUMARTIST: 'Bench Artist',
          TRACKNUMBER: String((i % 12) + 1),
          DATE: '2024',
          GENRE: 'Bench',
        },
      });
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  await writeFile(join(dir, '.complete'), '');
  return dir;
}

// Wall time, plus the whole process tree's CPU and peak memory (bench/lib/measure.js).
const time = (cmd, args) => measured(cmd, args);

/** The first `n` CD-format sources of `dir` (path order), hard-linked (or copied) into a corpus of their own. */
async function firstOf(dir, n) {
  const picked = [];
  for (const f of scanSources([dir]).files.sort((x, y) => (x.rel < y.rel ? -1 : 1))) {
    if (picked.length === n) break;
    const r = await probeFile(f.path, { ffmpegPath: ffmpeg });
    if (r.kind === 'lossless' && r.source.sampleRate === 44100 && r.source.bitsPerSample === 16) picked.push(f);
  }
  const sub = join(work, `first-${n}`);
  await rm(sub, { recursive: true, force: true });
  for (const f of picked) {
    await mkdir(dirname(join(sub, f.rel)), { recursive: true });
    await link(f.path, join(sub, f.rel)).catch(() => copyFile(f.path, join(sub, f.rel)));
  }
  return sub;
}

const whole = a.corpus ? resolve(a.corpus) : await makeCorpus();
const corpus = a.first ? await firstOf(whole, Number(a.first)) : whole;
if (a.queue) {
  // --queue: the local pool against a coordinator and two worker processes (bench/queue.js), nothing else.
  const { benchQueue } = await import('./queue.js');
  await benchQueue({ corpus, presets: a.presets, jobs, rounds: Number(a.rounds), work });
  process.exit(0);
}
if (a.profile) {
  // --profile: CPU seconds by part of one audiofan run (bench/profile.js), nothing else.
  const { benchProfile } = await import('./profile.js');
  await benchProfile({ corpus, presets: a.presets, jobs, work, ffmpeg });
  process.exit(0);
}
const presets = selectPresets(loadPresets(), a.presets.split(','));
const info = await inspectFfmpeg(ffmpeg);
const files = scanSources([corpus]).files;
const sources = [];
for (const f of files) {
  const r = await probeFile(f.path, { ffmpegPath: ffmpeg });
  if (r.kind === 'lossless') sources.push({ ...r.source, root: f.root, rel: f.rel });
}
const audioSeconds = sources.reduce((s, x) => s + (x.duration ?? 0), 0);
console.log(
  `corpus: ${sources.length} lossless tracks, ${(audioSeconds / 60).toFixed(1)} min of audio; presets ${a.presets}; jobs ${jobs}; ffmpeg ${info.version} (${ffmpeg})`,
);

const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const outA = join(work, 'out-audiofan');
const outB = join(work, 'out-baseline');

// 1. audiofan
async function runAudiofan(loud) {
  await rm(outA, { recursive: true, force: true });
  const ra = await time(process.execPath, [
    join(here, 'audiofan-once.js'),
    corpus,
    outA,
    a.presets,
    String(jobs),
    loud ? 'on' : 'off',
  ]);
  const res = JSON.parse(ra.out);
  res.measure = ra;
  if (res.exitCode !== 0) throw new Error(`audiofan run failed: ${JSON.stringify(res.summary)}`);
  return res;
}

// 2. plain ffmpeg, one process per output, xargs -P N, with audiofan's own per-output arguments
const lines = [];
for (const s of sources) {
  for (const p of presets) {
    const target = join(outB, outputRelPath(p, s));
    const { args } = outputRecipe(p, s, { soxr: info.soxr });
    lines.push(
      [ffmpeg, '-nostdin', '-v', 'error', '-y', '-i', `file:${s.path}`, ...args, `file:${target}`].map(q).join(' '),
    );
  }
}
// 3. the feature floor: what audiofan's features need from ffmpeg and nothing else, with no node at all. One process
// per master makes the same outputs and also meters loudness and hashes the master in the same decode (as audiofan
// does), then a second decodes each lossless output to hash it (the bit-exact proof); `-v error`, so not even a log
// is read. No probe, no tags, no cover, no read-back. If this floor alone is over the target, no implementation on
// these encoders can meet it with every feature on.
const outC = join(work, 'out-floor');
const floorLines = [];
// Longest master first, so the floor's tail is as short as xargs can make it (audiofan's scheduler does the same).
for (const s of [...sources].sort((x, y) => (y.duration ?? 0) - (x.duration ?? 0))) {
  const main = [ffmpeg, '-nostdin', '-v', 'error', '-y', '-i', `file:${s.path}`];
  // Each lossless output is hashed in the PCM format audiofan's own plan proves it in, as is the master, once.
  const formats = new Set();
  const proofs = [];
  for (const p of presets) {
    const target = join(outC, outputRelPath(p, s));
    const recipe = outputRecipe(p, s, { soxr: info.soxr });
    main.push(...recipe.args, `file:${target}`);
    if (!recipe.bitExact) continue;
    const hash = hashOutputArgs({ format: recipe.bitExact.format });
    formats.add(recipe.bitExact.format);
    proofs.push([ffmpeg, '-nostdin', '-v', 'error', '-i', `file:${target}`, ...hash, '-']);
  }
  main.push('-map', '0:a:0', '-af', ebur128Filter('sample'), '-f', 'null', '-');
  for (const format of formats) main.push(...hashOutputArgs({ format }), '-');
  floorLines.push([main, ...proofs].map((argv) => `${argv.map(q).join(' ')} >/dev/null`).join(' && '));
}
/** Run shell command lines `jobs` at a time with xargs into a fresh `out` tree; the measurement. */
async function runLines(out, name, commandLines) {
  await rm(out, { recursive: true, force: true });
  for (const s of sources)
    for (const p of presets) await mkdir(join(out, outputRelPath(p, s), '..'), { recursive: true });
  const list = join(work, `${name}-commands.txt`);
  await writeFile(list, commandLines.join('\0'));
  return time('sh', ['-c', `xargs -0 -P ${jobs} -I{} sh -c '{}' < ${q(list)}`]);
}
let lastFloor;
async function runFloor() {
  lastFloor = await runLines(outC, 'floor', floorLines);
  return lastFloor.seconds;
}
let lastBaseline;
async function runBaseline() {
  lastBaseline = await runLines(outB, 'baseline', lines);
  return lastBaseline.seconds;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const verdicts = [];
const targets = a.first ? 0.97 : 0.95;
for (const loud of [true, false]) {
  const A = [];
  const B = [];
  const C = [];
  const cpuB = [];
  const cpuC = [];
  const floor = loud && !a['no-floor'];
  let last;
  console.log(`\naudiofan ${loud ? 'with everything on (default)' : '--no-loudness'} against plain ffmpeg:`);
  for (let r = 1; r <= Number(a.rounds); r++) {
    last = await runAudiofan(loud);
    A.push(last.wallSeconds);
    B.push(await runBaseline());
    cpuB.push(lastBaseline.cpuSeconds);
    if (floor) {
      C.push(await runFloor());
      cpuC.push(lastFloor.cpuSeconds);
    }
    const fl = floor ? `; feature floor ${C.at(-1).toFixed(2)} s, ratio ${(C.at(-1) / B.at(-1)).toFixed(3)}` : '';
    console.log(
      `  round ${r}: audiofan ${A.at(-1).toFixed(2)} s, plain ffmpeg ${B.at(-1).toFixed(2)} s, ratio ${(A.at(-1) / B.at(-1)).toFixed(3)}${fl}`,
    );
    console.log(`${describe('audiofan', last.measure, last.ffmpegCpuSeconds)}\n${describe('baseline', lastBaseline)}`);
    if (floor) console.log(describe('floor', lastFloor));
  }
  const wa = median(A);
  const wb = median(B);
  console.log(
    `  audiofan:            ${wa.toFixed(2)} s wall, median of ${A.length}  (${(audioSeconds / wa).toFixed(1)}x realtime, ${last.summary.outputsEncoded} outputs, coordinator+workers peak RSS ${last.maxRssMB.toFixed(0)} MB)`,
  );
  console.log(
    `  ffmpeg xargs -P ${jobs}:    ${wb.toFixed(2)} s wall, median of ${B.length}  (${lines.length} processes)`,
  );
  const target = loud ? ` (target <= ${targets}: ${wa / wb <= targets ? 'met' : 'NOT met'})` : '';
  verdicts.push(
    `ratio audiofan/plain ffmpeg, ${loud ? 'everything on' : '--no-loudness'}: ${(wa / wb).toFixed(3)}${target}`,
  );
  if (floor) {
    const wc = median(C);
    console.log(
      `  feature floor:        ${wc.toFixed(2)} s wall, median of ${C.length}  (${floorLines.length} masters: one ffmpeg each for the outputs, meter and hash, then the lossless outputs' proof decodes)`,
    );
    verdicts.push(
      `ratio feature floor/plain ffmpeg (no node, no probe, no tags; the least any tool on these encoders can do with every feature on): ${(wc / wb).toFixed(3)} wall, ${(median(cpuC) / median(cpuB)).toFixed(3)} CPU`,
    );
  }
}
console.log('');
for (const v of verdicts) console.log(v);
