/**
 * `audiofan doctor`: which ffmpeg would be used, where it came from, and whether it has what
 * the presets need.
 */
import { requirements, type Requirement } from './capabilities.js';
import { inspectFfmpeg } from './adapter.js';
import { locateFfmpeg, type LocatedFfmpeg } from './locate.js';
import { isAudiofanError } from '../errors.js';
import type { Preset } from '../presets/presets.js';

export interface DoctorReport {
  ok: boolean;
  ffmpeg?: LocatedFfmpeg & { version: string; soxr: boolean };
  requirements: Requirement[];
  problems: string[];
}

/** Check the ffmpeg that a run would use against the given presets (usually all of them). */
export async function doctor(presets: Preset[], ffmpegPath?: string): Promise<DoctorReport> {
  let located: LocatedFfmpeg;
  try {
    located = locateFfmpeg(ffmpegPath);
  } catch (e) {
    if (!isAudiofanError(e)) throw e;
    return { ok: false, requirements: [], problems: [e.message] };
  }
  let info: Awaited<ReturnType<typeof inspectFfmpeg>>;
  try {
    info = await inspectFfmpeg(located.path);
  } catch (e) {
    return {
      ok: false,
      requirements: [],
      problems: [`${located.path} (via ${located.source}) did not run: ${(e as Error).message}`],
    };
  }
  const reqs = requirements(info, presets);
  const problems = reqs
    .filter((r) => !r.present)
    .map((r) => `missing ${r.kind} ${r.name}, needed by ${r.neededBy.join(', ')}`);
  if (!info.soxr)
    problems.push('ffmpeg was built without libsoxr: resampling falls back to its built-in resampler (lower quality)');
  return {
    ok: reqs.every((r) => r.present),
    ffmpeg: { ...located, version: info.version, soxr: info.soxr },
    requirements: reqs,
    problems,
  };
}
