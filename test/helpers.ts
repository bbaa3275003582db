/**
 * Shared test helpers. Tests import the BUILT package (dist/), as a user would.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseFile, type IAudioMetadata } from 'music-metadata';
import { locateFfmpeg } from '../dist/src/index.js';
import { writeTrack, writeCover, type TrackSpec } from '../dist/src/demo/synth.js';

export const execFileP = promisify(execFile);
export const repo = new URL('..', import.meta.url).pathname;
export const bin = join(repo, 'bin', 'audiofan.js');

/** The ffmpeg a run would use on this machine. */
export const ffmpeg = (): string => locateFfmpeg().path;

/** Every distinct ffmpeg on this machine (the npm-shipped 4.1 and a system one), for version matrices. */
export function ffmpegBinaries(): { label: string; path: string }[] {
  const out: { label: string; path: string }[] = [];
  const installer = join(repo, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');
  if (existsSync(installer)) out.push({ label: 'ffmpeg 4.1 (@ffmpeg-installer)', path: installer });
  for (const p of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg'])
    if (existsSync(p)) {
      out.push({ label: `system ffmpeg (${p})`, path: p });
      break;
    }
  const s = join(repo, 'node_modules', 'ffmpeg-static', 'ffmpeg');
  if (existsSync(s)) out.push({ label: 'ffmpeg-static', path: s });
  return out;
}

export async function tmp(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `audiofan-test-${prefix}-`));
}

export async function track(path: string, spec: Omit<TrackSpec, 'path'>, ffmpegPath = ffmpeg()): Promise<string> {
  await writeTrack(ffmpegPath, { path, ...spec });
  return path;
}

export async function cover(path: string, size = 300): Promise<string> {
  await writeCover(ffmpeg(), path, size);
  return path;
}

export async function readBack(path: string): Promise<IAudioMetadata> {
  return parseFile(path, { duration: true });
}

/** MD5 of the decoded PCM (ffmpeg's md5 muxer): equal values mean bit-identical audio. */
export async function pcmMd5(path: string, pcmCodec = 'pcm_s32le'): Promise<string> {
  // Widened to one common integer format so 16-bit planar ALAC and packed FLAC compare equal.
  const args = ['-nostdin', '-v', 'error', '-i', `file:${path}`, '-map', '0:a:0', '-c:a', pcmCodec, '-f', 'md5', '-'];
  return (await execFileP(ffmpeg(), args)).stdout.trim();
}

/** Every file under a folder (relative paths), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI to the end. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** ffmpeg processes whose command line mentions `needle` (a test's temp folder). */
export async function ffmpegProcessesMentioning(needle: string): Promise<string[]> {
  const { stdout } = await execFileP('ps', ['-eo', 'pid,args']);
  return stdout.split('\n').filter((l) => l.includes('ffmpeg') && l.includes(needle) && !l.includes('ps -eo'));
}

/** The PICTURE blocks of a FLAC file, read independently of audiofan's writer. */
export async function flacPictureBlocks(
  path: string,
): Promise<
  { type: number; mime: string; description: string; width: number; height: number; depth: number; size: number }[]
> {
  const { readFile } = await import('node:fs/promises');
  const b = await readFile(path);
  if (b.toString('latin1', 0, 4) !== 'fLaC') throw new Error(`${path}: not FLAC`);
  const out = [];
  for (let o = 4, last = false; !last; ) {
    last = (b[o] & 0x80) !== 0;
    const type = b[o] & 0x7f;
    const len = b.readUInt32BE(o) & 0xffffff;
    if (type === 6) {
      let p = o + 4;
      const u32 = () => {
        const v = b.readUInt32BE(p);
        p += 4;
        return v;
      };
      const ptype = u32();
      const ml = u32();
      const mime = b.toString('latin1', p, p + ml);
      p += ml;
      const dl = u32();
      const description = b.toString('utf8', p, p + dl);
      p += dl;
      const width = u32();
      const height = u32();
      const depth = u32();
      u32();
      out.push({ type: ptype, mime, description, width, height, depth, size: u32() });
    }
    o += 4 + len;
  }
  return out;
}

/**
 * The fatal error a CLI run reported, as "audiofan: error [CODE]: message", whether it wrote plain text
 * (a terminal) or NDJSON (off a terminal, as the tests run it); '' when it reported none.
 */
export function fatalLine(stderr: string): string {
  for (const l of stderr.split('\n')) {
    if (l.startsWith('audiofan: error [')) return l;
    try {
      const j = JSON.parse(l) as { event?: string; code?: string; msg?: string };
      if (j.event === 'error' && j.code) return `audiofan: error [${j.code}]: ${j.msg}`;
    } catch {
      // not a JSON line
    }
  }
  return '';
}
