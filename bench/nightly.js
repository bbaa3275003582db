#!/usr/bin/env node
/**
 * node bench/nightly.js [--tracks 10000] [--presets mp3-v4,opus-64] [--corpus DIR]
 *
 * The cron case, timed:
 *   1. a no-op re-run over a library of --tracks tiny tracks (built once, cached in bench/.work):
 *      target < 2 s wall for 10,000 tracks;
 *   2. tags-only edits against re-encoding, on the music-like corpus of `npm run bench`
 *      (or --corpus): every source's title is changed, and the run that follows (retag only)
 *      is timed against a run that re-encodes the same outputs (--force).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { locateFfmpeg } from '../dist/src/index.js';
import { scanSources } from '../dist/src/sources/scan.js';
import { writeTrack } from '../dist/src/demo/synth.js';
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

/** Run the CLI; resolve with wall seconds and the closing summary line. */
function audiofan(args) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    let err = '';
    const c = spawn(process.execPath, [bin, ...args, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.on('data', (d) => {
      err = (err + d).slice(-20000);
    });
    c.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const summary = err
        .trim()
        .split('\n')
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return {};
          }
        })
        .findLast((l) => l.event === 'summary');
      if (code !== 0 || !summary) rej(new Error(`audiofan ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else res({ seconds, summary });
    });
  });
}

// 1. no-op over a large library
const n = Number(a.tracks);
const big = join(work, `nightly-${n}`);
const lib = join(big, 'library');
const out = join(big, 'out');
if (!existsSync(join(big, '.complete'))) {
  // 100 tracks (10 albums of 10) are converted for real; the other copies of that tree, sources and
  // outputs, get manifest records cloned from the real ones with their own paths, sizes and mtimes
  // (stat'ed): the state that converting them for real would leave, built in seconds, not half an hour.
  await rm(big, { recursive: true, force: true });
  const seedTracks = Math.min(100, n);
  const copies = Math.ceil(n / seedTracks);
  console.log(
    `building a ${copies * seedTracks}-track library in ${lib}: ${seedTracks} tracks converted for real, then replicated ...`,
  );
  await mkdir(big, { recursive: true });
  const seed = join(big, 'seed.flac');
  await writeTrack(ffmpeg, {
    path: seed,
    seconds: 0.3,
    tags: { TITLE: 'tiny', ARTIST: 'Bench', ALBUM: 'Tiny', ALBUMARTIST: 'Bench' },
  });
  for (let i = 0; i < seedTracks; i++) {
    const dir = join(lib, 'Artist 000', `Album ${String(Math.floor(i / 10)).padStart(2, '0')}`);
    await mkdir(dir, { recursive: true });
    await copyFile(seed, join(dir, `${String(i % 10).padStart(2, '0')} Track.flac`));
  }
  const first = await audiofan([lib, '-o', out, '-p', a.presets, '--create']);
  console.log(
    `real conversion of ${seedTracks} tracks: ${first.summary.outputsEncoded} outputs in ${first.seconds.toFixed(1)} s`,
  );
  const manifestPath = join(out, 'audiofan-manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const real = [...manifest.sources]; // a snapshot: the loop below appends to manifest.sources
  const presetIds = a.presets.split(',');
  for (let k = 1; k < copies; k++) {
    const name = `Artist ${String(k).padStart(3, '0')}`;
    cpSync(join(lib, 'Artist 000'), join(lib, name), { recursive: true });
    for (const p of presetIds) cpSync(join(out, p, 'Artist 000'), join(out, p, name), { recursive: true });
    for (const src of real) {
      const path = src.path.replace('/Artist 000/', `/${name}/`);
      const st = await stat(path);
      const outputs = [];
      for (const o of src.outputs) {
        const rel = o.path.replace('/Artist 000/', `/${name}/`);
        const ost = await stat(join(out, rel));
        outputs.push({ ...o, path: rel, size: ost.size, mtimeMs: ost.mtimeMs });
      }
      manifest.sources.push({
        ...src,
        path,
        rel: src.rel.replace('Artist 000/', `${name}/`),
        size: st.size,
        mtimeMs: st.mtimeMs,
        outputs,
      });
    }
  }
  await writeFile(manifestPath, JSON.stringify(manifest));
  await writeFile(join(big, '.complete'), '');
}
const noop = [];
for (let i = 0; i < 3; i++) noop.push(await audiofan([lib, '-o', out, '-p', a.presets]));
const best = noop.map((r) => r.seconds).sort((x, y) => x - y);
const s = noop[0].summary;
console.log(
  `no-op re-run over ${s.lossless} tracks (${s.outputsKept} outputs up to date, ${s.outputsEncoded} encoded): ` +
    `${best.map((x) => x.toFixed(2)).join(' s, ')} s  (target < 2 s: ${best[1] < 2 ? 'met' : 'NOT met'}, median)`,
);

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
