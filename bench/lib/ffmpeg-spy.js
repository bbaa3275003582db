/**
 * A stand-in ffmpeg for bench/profile.js: a bash script that runs the real binary with the same arguments, then
 * records the CPU it used (bash's `times`: its children's user and system time, from the kernel, to the
 * millisecond) and its argv, one file per run. Given to audiofan as FFMPEG_PATH, it shows what every ffmpeg the
 * run started cost, by what it was for. It costs a bash start (a few ms) per ffmpeg, outside the figures.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `#!/bin/bash
# Written by bench/lib/ffmpeg-spy.js for npm run bench -- --profile.
"$AUDIOFAN_BENCH_FFMPEG" "$@"
rc=$?
{ times; printf '%s\\n' "$rc" "$AUDIOFAN_BENCH_TAG"; printf '%s\\0' "$@"; } > "$AUDIOFAN_BENCH_SPY/$$.$RANDOM"
exit $rc
`;

/**
 * Make the stand-in in `dir` (emptied first). Returns { path, env } to run audiofan with (FFMPEG_PATH and what the
 * script reads), and read() for the runs so far: [{ argv, tag (AUDIOFAN_BENCH_TAG of the run), cpuSeconds, exitCode }].
 */
export function ffmpegSpy(dir, realFfmpeg) {
  rmSync(dir, { recursive: true, force: true });
  const logs = join(dir, 'runs');
  mkdirSync(logs, { recursive: true });
  const path = join(dir, 'ffmpeg');
  writeFileSync(path, SCRIPT);
  chmodSync(path, 0o755);
  return {
    path,
    env: { FFMPEG_PATH: path, AUDIOFAN_BENCH_FFMPEG: realFfmpeg, AUDIOFAN_BENCH_SPY: logs },
    read: () => readdirSync(logs).map((f) => parseRecord(readFileSync(join(logs, f), 'utf8'))),
  };
}

/** bash's `times`: "0m0.004s 0m0.001s\n0m1.234s 0m0.120s\n" (the shell's own, then its children's). */
function parseRecord(text) {
  const [shell, children, rc, tag, ...rest] = text.split('\n');
  const secs = (s) => [...s.matchAll(/(\d+)m([\d.]+)s/g)].reduce((t, m) => t + Number(m[1]) * 60 + Number(m[2]), 0);
  const argv = rest.join('\n').split('\0');
  argv.pop();
  return { argv, tag, cpuSeconds: secs(children), shellSeconds: secs(shell), exitCode: Number(rc) };
}
