#!/usr/bin/env node
/**
 * npm run bench [-- --serve (see bench/serve.js)] [-- --corpus DIR] [--tracks 24] [--seconds 60] [--presets flac,mp3-v0,opus-128] [--jobs N] [--rounds 2]
 * npm run bench -- --queue [same options]: the local pool against 1 coordinator + 2 worker processes (bench/queue.js)
 * npm run bench -- --resampler: ffmpeg's resampler against soxr, quality and CPU (bench/resampler.js)
 *
 * Converts a corpus of 44.1 kHz/16-bit stereo FLAC twice and prints both wall times and their ratio:
 *   1. audiofan (one ffmpeg per source, decoding once for all presets, plus output verification);
 *   2. plain ffmpeg, one process per output, N at a time with `xargs -P N` (N = cores),
 *      with exactly the same per-output arguments audiofan uses.
 * Two pairings, each alternating for --rounds rounds; verdicts use medians. Target: ratio <= 1.00.
 *   - loudness on (audiofan's default): the baseline also runs one ebur128 (true peak) pass per source,
 *     which is what it takes to produce the same ReplayGain/R128 tags with plain ffmpeg;
 *   - loudness off (--no-loudness): the baseline only encodes. Without --corpus a music-like corpus is generated
 * (cached in bench/.work). ../shared/bench/make-real-corpus.sh builds a real-music corpus.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { locateFfmpeg, loadPresets, selectPresets, inspectFfmpeg } from '../dist/src/index.js';
import { outputRecipe } from '../dist/src/plan/recipe.js';
import { outputRelPath } from '../dist/src/plan/plan.js';
import { probeFile } from '../dist/src/sources/probe.js';
import { scanSources } from '../dist/src/sources/scan.js';
import { writeCover, writeTrack } from '../dist/src/demo/synth.js';

// npm run bench -- --serve: the server's figures instead (bench/serve.js, its own options).
if (process.argv.includes('--serve')) {
  await import('./serve.js');
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

function time(cmd, args) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    let out = '';
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) =>
      code === 0 ? res({ seconds: (performance.now() - t0) / 1000, out }) : rej(new Error(`${cmd} exited ${code}`)),
    );
  });
}

const corpus = a.corpus ? resolve(a.corpus) : await makeCorpus();
if (a.queue) {
  // --queue: the local pool against a coordinator and two worker processes (bench/queue.js), nothing else.
  const { benchQueue } = await import('./queue.js');
  await benchQueue({ corpus, presets: a.presets, jobs, rounds: Number(a.rounds), work });
  process.exit(0);
}
const presets = selectPresets(loadPresets(), a.presets.split(','));
const info = await inspectFfmpeg(ffmpeg);
const files = scanSources([corpus]).files;
const sources = [];
for (const f of files) {
  const r = await probeFile(f.path);
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
const loudLines = sources.map((s) =>
  [
    ffmpeg,
    '-nostdin',
    '-v',
    'error',
    '-i',
    `file:${s.path}`,
    '-map',
    '0:a:0',
    '-af',
    'ebur128=peak=true',
    '-f',
    'null',
    '-',
  ]
    .map(q)
    .join(' '),
);
async function runBaseline(loud) {
  await rm(outB, { recursive: true, force: true });
  for (const s of sources)
    for (const p of presets) await mkdir(join(outB, outputRelPath(p, s), '..'), { recursive: true });
  const list = join(work, 'baseline-commands.txt');
  await writeFile(list, [...lines, ...(loud ? loudLines : [])].join('\0'));
  return (await time('sh', ['-c', `xargs -0 -P ${jobs} -I{} sh -c '{}' < ${q(list)}`])).seconds;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const verdicts = [];
for (const loud of [true, false]) {
  const A = [];
  const B = [];
  let last;
  console.log(`\nloudness ${loud ? 'on (default)' : 'off (--no-loudness)'}:`);
  for (let r = 1; r <= Number(a.rounds); r++) {
    last = await runAudiofan(loud);
    A.push(last.wallSeconds);
    B.push(await runBaseline(loud));
    console.log(
      `  round ${r}: audiofan ${A.at(-1).toFixed(2)} s, baseline ${B.at(-1).toFixed(2)} s, ratio ${(A.at(-1) / B.at(-1)).toFixed(2)}`,
    );
  }
  const wa = median(A);
  const wb = median(B);
  console.log(
    `  audiofan:            ${wa.toFixed(2)} s wall, median of ${A.length}  (${(audioSeconds / wa).toFixed(1)}x realtime per source, ${last.summary.outputsEncoded} outputs, coordinator+workers peak RSS ${last.maxRssMB.toFixed(0)} MB)`,
  );
  console.log(
    `  ffmpeg xargs -P ${jobs}:    ${wb.toFixed(2)} s wall, median of ${B.length}  (${lines.length + (loud ? loudLines.length : 0)} processes${loud ? ', incl. one ebur128 pass per source' : ''})`,
  );
  verdicts.push(
    `ratio audiofan/baseline, loudness ${loud ? 'on ' : 'off'}: ${(wa / wb).toFixed(2)}  (target <= 1.00: ${wa / wb <= 1 ? 'met' : 'NOT met'})`,
  );
}
console.log('');
for (const v of verdicts) console.log(v);
