/**
 * Which ffmpeg binary to use, in the documented order: an explicit path or FFMPEG_PATH, ffmpeg-static's
 * binary if it was downloaded, ffmpeg on PATH, then @ffmpeg-installer's (shipped inside its npm package).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { AudiofanError } from '../errors.js';

/** Where the ffmpeg binary came from, in the order they are tried. */
export type FfmpegSource = 'option' | 'env' | 'ffmpeg-static' | 'path' | 'ffmpeg-installer';

export interface LocatedFfmpeg {
  path: string;
  source: FfmpegSource;
  /** What was tried before this one and why it was passed over (for `audiofan doctor`). */
  passedOver: string[];
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const require = createRequire(import.meta.url);

/** ffmpeg-static exports a path even when its install script never downloaded the binary. */
function fromFfmpegStatic(): string | undefined {
  try {
    const p = require('ffmpeg-static') as string | null;
    return p ?? undefined;
  } catch {
    return undefined;
  }
}

function fromInstaller(): string | undefined {
  try {
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

function fromPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'ffmpeg'))) return join(dir, 'ffmpeg');
  }
  return undefined;
}

/**
 * Find ffmpeg: explicit option, then FFMPEG_PATH, then ffmpeg-static's binary if it exists,
 * then `ffmpeg` on PATH, then @ffmpeg-installer/ffmpeg. An explicit choice that does not work
 * is an error, not a reason to quietly use another binary.
 */
export function locateFfmpeg(explicit?: string, env: NodeJS.ProcessEnv = process.env): LocatedFfmpeg {
  const passedOver: string[] = [];
  const chosen =
    explicit !== undefined
      ? { p: explicit, s: 'option' as const }
      : env.FFMPEG_PATH
        ? { p: env.FFMPEG_PATH, s: 'env' as const }
        : undefined;
  if (chosen) {
    if (isExecutable(chosen.p)) return { path: chosen.p, source: chosen.s, passedOver };
    const where = chosen.s === 'option' ? 'the ffmpeg option (--ffmpeg)' : 'FFMPEG_PATH';
    throw new AudiofanError('E_FFMPEG_MISSING', `ffmpeg given by ${where} is not an executable file: ${chosen.p}`, {
      file: chosen.p,
    });
  }
  const candidates: [FfmpegSource, () => string | undefined][] = [
    ['ffmpeg-static', fromFfmpegStatic],
    ['path', () => fromPath(env)],
    ['ffmpeg-installer', fromInstaller],
  ];
  for (const [source, find] of candidates) {
    const p = find();
    if (p && isExecutable(p)) return { path: p, source, passedOver };
    passedOver.push(
      !p
        ? `${source}: not installed`
        : existsSync(p)
          ? `${source}: ${p} is not executable`
          : // The usual case, by design: ffmpeg-static's download script is off (see allowScripts).
            `${source}: binary not downloaded (its install script is off by design)`,
    );
  }
  throw new AudiofanError(
    'E_FFMPEG_MISSING',
    `no ffmpeg found. Tried: ${passedOver.join('; ')}. Install ffmpeg (e.g. apt-get install ffmpeg), ` +
      'or set FFMPEG_PATH, or reinstall so the optional @ffmpeg-installer/ffmpeg package is present.',
  );
}
