#!/usr/bin/env node
/**
 * node bench/nightly.js [--tracks 10000] [--presets mp3-v4,opus-64] [--corpus DIR]
 *
 * The cron case, timed:
 *   1. no-op re-runs over a library of --tracks tracks (a comma list runs each: --tracks 10000,100000),
 *      built once and cached in bench/.work (see largeLibrary: SEED tracks converted for real, then the
 *      tree and its manifest entries repeated). Each re-run is the real CLI, with a preload
 *      (bench/peak-rss.js) that reports its peak RSS (VmHWM) and CPU time. The first re-run reads the
 *      manifest and plans every output; finding nothing to do it writes the settled stamp, and the next
 *      ones end after a walk and a stat per file (src/run/settled.ts). Targets for 100,000 tracks: a
 *      no-op under 15 s wall and under 400 MB peak RSS; the state's bytes per track are printed.
 *      The cache is keyed by a version in its folder name (nightly-seed-v3-*, nightly-v3-*): bump it when
 *      what a run records changes, or the re-runs measure the upgrade, not a no-op;
 *   2. tags-only edits against re-encoding, on the music-like corpus of `npm run bench`
 *      (or --corpus): every source's title is changed, and the run that follows (retag only)
 *      is timed against a run that re-encodes the same outputs (--force).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { locateFfmpeg } from '../dist/src/index.js';
import { scanSources } from '../dist/src/sources/scan.js';
import { writeFlacTags } from '../dist/src/tagging/flac-file.js';
import { sourceTagEntries } from '../dist/src/tagging/source-tags.js';
import { readAudioMetadata } from '../dist/src/sources/read-metadata.js';

const here = new URL('.', import.meta.url).pathname;
const bin = join(here, '..', 'bin', 'audiofan.js');
const { values: a } = parseArgs({
  options: {
    tracks: { type: 'string', default: '10000' },
    presets: { type: 'string', default: 'mp3-v4,opus-64' },
    corpus: { type: 'string' },
  },
});
const work = join(here, '.work');
const ffmpeg = locateFfmpeg().path;
const execFileP = promisify(execFile);
/** Tracks converted for real when a large library is built. */
const SEED = 500;
const probe = join(here, 'peak-rss.js');

/** Run the CLI; resolve with wall seconds, the closing summary line, its probe line and whether it was settled. */
function audiofan(args) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    let err = '';
    const c = spawn(process.execPath, ['--import', probe, bin, ...args, '--json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    c.stderr.on('data', (d) => {
      err = (err + d).slice(-20000);
    });
    c.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const lines = err
        .trim()
        .split('\n')
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return {};
          }
        });
      const summary = lines.findLast((l) => l.event === 'summary');
      const probeLine = lines.findLast((l) => l.event === 'bench-probe');
      const settled = lines.some((l) => l.event === 'settled');
      if (code !== 0 || !summary) rej(new Error(`audiofan ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else res({ seconds, summary, probe: probeLine, settled });
    });
  });
}

// 1. no-op over a large library
for (const n of a.tracks.split(',').map(Number)) await noopBench(n);

/** A library of n tracks: built (or taken from bench/.work), then re-run three times with nothing changed. */
async function noopBench(n) {
  const { lib, out } = await largeLibrary(n);
  console.log(`\nno-op re-runs over ${n} tracks (${a.presets}), bin/audiofan.js --json:`);
  // Without the stamp of an earlier bench, the first re-run is the full one (what the night after a change costs).
  await rm(join(out, '.audiofan-settled.json'), { force: true });
  for (let i = 0; i < 3; i++) {
    // The first re-run after the library was built reads the manifest and plans every output (the full
    // run); finding nothing to do, it leaves the settled stamp, so the next ones end after a walk and stats.
    const r = await audiofan([lib, '-o', out, '-p', a.presets]);
    const s = r.summary;
    if (s.outputsEncoded || s.outputsRetagged || s.outputsKept !== n * a.presets.split(',').length)
      throw new Error(`run ${i + 1} was not a no-op: ${JSON.stringify(s)}`);
    const kind = r.settled
      ? 'settled (stamp matched; manifest not read)'
      : 'full (manifest read, every output planned)';
    console.log(
      `  run ${i + 1}: ${r.seconds.toFixed(2)} s wall, ${(r.probe.userMs / 1000 + r.probe.systemMs / 1000).toFixed(2)} s CPU, ` +
        `peak RSS ${(r.probe.peakRssKb / 1024).toFixed(0)} MB, ${s.outputsKept} outputs kept: ${kind}` +
        (r.settled
          ? `  [targets: < 15 s ${r.seconds < 15 ? 'met' : 'NOT met'}, < 400 MB ${r.probe.peakRssKb < 400 * 1024 ? 'met' : 'NOT met'}]`
          : ''),
    );
  }
  const manifestBytes = (await stat(join(out, 'audiofan-manifest.json'))).size;
  const stampBytes = (await stat(join(out, '.audiofan-settled.json')).catch(() => ({ size: 0 }))).size;
  console.log(
    `  state per track: manifest ${(manifestBytes / n).toFixed(0)} B (${(manifestBytes / 1e6).toFixed(1)} MB; ` +
      `not read nor written by a settled run), settled stamp ${(stampBytes / n).toFixed(0)} B (${(stampBytes / 1e6).toFixed(1)} MB)`,
  );
}

/**
 * The state a real first run over n tracks leaves, built in minutes instead of hours. SEED distinct tracks
 * (tags differ: each its own title, track number, album) are cloned in JS from one 10 s FLAC template whose
 * level falls 3 dB a second, so each has a loudness histogram of about 100 bins (a 4-minute track of real
 * music has a few hundred); they are converted for real, once, into bench/.work/nightly-seed-<presets>.
 * The n-track library repeats that tree: sources and outputs as hard links (the real files, same size and
 * mtime), and the manifest the real run wrote with each entry cloned, its paths rewritten.
 */
async function largeLibrary(n) {
  const big = join(work, `nightly-v3-${n}`);
  const lib = join(big, 'library');
  const out = join(big, 'out');
  if (existsSync(join(big, '.complete'))) return { lib, out };
  const seed = await seedLibrary();
  await rm(big, { recursive: true, force: true });
  const t0 = performance.now();
  const sets = Math.ceil(n / SEED);
  console.log(`building a ${n}-track library in ${lib}: the ${SEED} converted tracks repeated ${sets} times ...`);
  const manifest = JSON.parse(await readFile(join(seed.out, 'audiofan-manifest.json'), 'utf8'));
  const sources = [];
  for (let k = 0; k < sets; k++) {
    const sub = (rel) => rel.replace(`${setName(0)}/`, `${setName(k)}/`);
    for (const src of manifest.sources.slice(0, Math.min(SEED, n - k * SEED))) {
      const rel = sub(src.rel);
      await mkdir(dirname(join(lib, rel)), { recursive: true });
      await link(src.path, join(lib, rel));
      for (const o of src.outputs) {
        await mkdir(dirname(join(out, sub(o.path))), { recursive: true });
        await link(join(seed.out, o.path), join(out, sub(o.path)));
      }
      sources.push({
        ...src,
        path: join(lib, rel),
        root: lib,
        rel,
        outputs: src.outputs.map((o) => ({ ...o, path: sub(o.path) })),
      });
    }
  }
  manifest.sources = sources.sort((x, y) => (x.path < y.path ? -1 : 1));
  manifest.options = { ...manifest.options, sources: [lib], output: out };
  manifest.roots = [{ ...manifest.roots[0], path: lib, files: sources.length }];
  await writeFile(join(out, 'audiofan-manifest.json'), JSON.stringify(manifest));
  await writeFile(join(big, '.complete'), '');
  console.log(
    `  built in ${((performance.now() - t0) / 1000).toFixed(0)} s (${sources.length} sources, ${sources.length * a.presets.split(',').length} outputs)`,
  );
  return { lib, out };
}

function setName(k) {
  return `Set ${String(k).padStart(4, '0')}`;
}

/** SEED tracks, cloned from one template with their own tags, converted for real (once per preset list). */
async function seedLibrary() {
  const dir = join(work, `nightly-seed-v3-${a.presets.replaceAll(',', '+')}`);
  const lib = join(dir, 'library');
  const out = join(dir, 'out');
  if (existsSync(join(dir, '.complete'))) return { lib, out };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const template = join(dir, 'template.flac');
  const voice = (f) => `pow(10,-0.15*t)*(0.4*sin(2*PI*${f}*t)+0.1*sin(2*PI*${f * 3}*t)+0.05*(random(0)-0.5))`;
  const src = `aevalsrc='${voice(220)}|${voice(330)}':s=44100:d=10`;
  await execFileP(ffmpeg, ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-c:a', 'flac', template]);
  for (let i = 0; i < SEED; i++) {
    const album = `Album ${String(Math.floor(i / 10)).padStart(3, '0')}`;
    const track = String((i % 10) + 1);
    await mkdir(join(lib, setName(0), album), { recursive: true });
    const tags = [
      ['TITLE', `Track ${track} of ${album}`],
      ['ARTIST', `Artist ${i % 7}`],
      ['ALBUMARTIST', 'Bench'],
      ['ALBUM', album],
      ['TRACKNUMBER', track],
      ['DATE', String(1960 + (i % 60))],
    ];
    await writeFlacTags(template, join(lib, setName(0), album, `${track.padStart(2, '0')} Track.flac`), tags, []);
  }
  const first = await audiofan([lib, '-o', out, '-p', a.presets, '--create']);
  console.log(
    `  seed: ${SEED} tracks converted for real: ${first.summary.outputsEncoded} outputs in ${first.seconds.toFixed(1)} s`,
  );
  await writeFile(join(dir, '.complete'), '');
  return { lib, out };
}

// 2. tags-only edits: retag against re-encode
const corpus = a.corpus ? resolve(a.corpus) : join(work, 'corpus-24x60s');
if (!existsSync(corpus)) {
  console.log(`\n(no corpus at ${corpus}: run \`npm run bench\` once, or pass --corpus, for the retag case)`);
} else {
  const copy = join(work, 'nightly-retag', 'library');
  const dest = join(work, 'nightly-retag', 'out');
  await rm(join(work, 'nightly-retag'), { recursive: true, force: true });
  cpSync(corpus, copy, { recursive: true });
  const presets = 'flac,mp3-v0,opus-128';
  await audiofan([copy, '-o', dest, '-p', presets, '--create']);
  const files = scanSources([copy]).files.filter((f) => f.path.endsWith('.flac'));
  for (const f of files) {
    const tags = sourceTagEntries(await readAudioMetadata(f.path)).map(([k, v]) => [
      k,
      k === 'TITLE' ? `${v} (edited)` : v,
    ]);
    await writeFlacTags(f.path, `${f.path}.tmp`, tags, []);
    await rename(`${f.path}.tmp`, f.path);
  }
  const retag = await audiofan([copy, '-o', dest, '-p', presets]);
  const encode = await audiofan([copy, '-o', dest, '-p', presets, '--force']);
  console.log(`\ntags edited on ${files.length} sources (${retag.summary.outputsRetagged} outputs):`);
  console.log(`  retag only:  ${retag.seconds.toFixed(2)} s  (${retag.summary.outputsEncoded} re-encoded)`);
  console.log(`  re-encode:   ${encode.seconds.toFixed(2)} s  (${encode.summary.outputsEncoded} outputs, --force)`);
  console.log(`  re-encoding takes ${(encode.seconds / retag.seconds).toFixed(1)}x as long as retagging`);
}
