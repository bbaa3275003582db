#!/usr/bin/env node
/**
 * npm run bench -- --resampler: what resampling 44.1 kHz to 48 kHz costs and does, for the two resamplers audiofan
 * can use (ffmpeg's own swr with its defaults, and soxr at precision 28), on the ffmpeg a run would use.
 *
 * Quality: a 16-bit sine at each test frequency goes through the resampler; the ideal 48 kHz sine is fitted to the
 * middle of the output (least squares, amplitude and phase free) and the rest is the error: SNR in dB (16-bit
 * input caps it near 97 dB). The error is also split at 20 kHz (a DFT of the residual), because MP3 and Opus
 * encoders low-pass there: what lies above never reaches a lossy output.
 * Cost: CPU seconds (user + sys, from the shell's `times`) to resample 10 minutes of stereo noise.
 * Why it matters: the lossy presets resample with swr (src/plan/recipe.ts), the lossless ones with soxr.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { locateFfmpeg } from '../dist/src/index.js';

const ffmpeg = locateFfmpeg().path;
const RESAMPLERS = {
  swr: 'aresample=48000',
  soxr28: 'aresample=48000:resampler=soxr:precision=28',
};

function sine(freq, seconds = 2, rate = 44100) {
  const n = rate * seconds;
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    b.writeInt16LE(Math.round(0.89 * 32767 * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2);
  return b;
}

function resample(input, filter) {
  const out = execFileSync(
    ffmpeg,
    ['-v', 'error', '-f', 's16le', '-ar', '44100', '-ac', '1', '-i', 'pipe:0', '-af', filter, '-f', 'f64le', 'pipe:1'],
    { input, maxBuffer: 1 << 28 },
  );
  return new Float64Array(out.buffer, out.byteOffset, out.length / 8);
}

/** Residual of the best-fitting sine at `freq` over the middle half; its energy below and above `split` Hz. */
function analyse(y, freq, rate = 48000, split = 20000) {
  const a = Math.floor(y.length / 4);
  const n = Math.floor(y.length / 2);
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * freq * (a + i)) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[a + i] * s;
    yc += y[a + i] * c;
  }
  const det = ss * cc - sc * sc;
  const ks = (ys * cc - yc * sc) / det;
  const kc = (yc * ss - ys * sc) / det;
  const r = new Float64Array(n);
  let signal = 0;
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * freq * (a + i)) / rate;
    const fit = ks * Math.sin(w) + kc * Math.cos(w);
    signal += fit * fit;
    r[i] = y[a + i] - fit;
  }
  // DFT of the residual in 50 Hz bins (enough to tell below from above 20 kHz).
  const bins = 480;
  let low = 0;
  let high = 0;
  const m = Math.min(n, 9600);
  for (let k = 1; k < bins; k++) {
    const f = (k * rate) / 2 / bins;
    let re = 0;
    let im = 0;
    for (let i = 0; i < m; i++) {
      const w = (2 * Math.PI * f * i) / rate;
      re += r[i] * Math.cos(w);
      im -= r[i] * Math.sin(w);
    }
    const e = re * re + im * im;
    if (f < split) low += e;
    else high += e;
  }
  const total = r.reduce((x, v) => x + v * v, 0);
  const db = (x) => (10 * Math.log10(x)).toFixed(1);
  return {
    snr: db(signal / total),
    // The residual's share below 20 kHz, as an SNR of its own.
    audible: db(signal / (total * (low / (low + high)))),
  };
}

function cpuSeconds(filter) {
  const cmd = `'${ffmpeg}' -v error -f lavfi -i anoisesrc=r=44100:d=600,aformat=channel_layouts=stereo -af '${filter}' -f null - ; times`;
  const out = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1);
  const [u, s] = out.split(/\s+/).map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return Number(m[1]) * 60 + Number(m[2]);
  });
  return u + s;
}

console.log(`resampling 44.1 -> 48 kHz with ${ffmpeg}`);
console.log('tone      resampler  SNR (all)  SNR (below 20 kHz)');
for (const freq of [1000, 10000, 18000, 20000]) {
  const x = sine(freq);
  for (const [name, filter] of Object.entries(RESAMPLERS)) {
    const r = analyse(resample(x, filter), freq);
    console.log(
      `${String(freq).padStart(5)} Hz  ${name.padEnd(9)}  ${r.snr.padStart(6)} dB  ${r.audible.padStart(6)} dB`,
    );
  }
}
const noise = 'anoisesrc';
const base = cpuSeconds('anull');
console.log(`\nCPU to resample 10 min of stereo ${noise} (generation alone: ${base.toFixed(2)} s, subtracted):`);
for (const [name, filter] of Object.entries(RESAMPLERS))
  console.log(`  ${name.padEnd(7)} ${(cpuSeconds(filter) - base).toFixed(2)} s`);
