/**
 * Stage 1, prepare: options, presets and ffmpeg checked; source and output folders checked (and the
 * output folder made with --create), before anything is locked or written.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { assertCapabilities } from '../ffmpeg/capabilities.js';
import { overlap } from '../store/contain.js';
import { AudiofanError } from '../errors.js';
import { inspectFfmpeg } from '../ffmpeg/adapter.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { resolveOptions, type ConvertOptions } from './options.js';
import { loadPresets, selectPresets } from '../presets/presets.js';
import { checkSource } from '../sources/scan.js';
import { isDirectory, type Run } from './context.js';

/** --flat puts every preset's outputs in one folder: two presets with one extension would make the same names. */
function assertFlatFits(presets: { id: string; extension: string }[]): void {
  const byExt = new Map<string, string[]>();
  for (const p of presets) byExt.set(p.extension, [...(byExt.get(p.extension) ?? []), p.id]);
  const clash = [...byExt.entries()].find(([, ids]) => ids.length > 1);
  if (clash)
    throw new AudiofanError(
      'E_USAGE',
      `--flat: presets ${clash[1].join(', ')} all make .${clash[0]} files, whose names would collide without ` +
        'the <preset-id>/ folders; choose one of them, or drop --flat',
    );
}

/** Stage 1: options, presets and ffmpeg checked; the output folder checked (and made with --create). */
export async function prepare(options: ConvertOptions, emit: Run['emit']): Promise<Run> {
  const startedAt = new Date();
  const o = resolveOptions(options);
  const inline = o.extraPresets.map((data, i) => ({ data, origin: `extraPresets[${i}]` }));
  const presets = selectPresets(loadPresets({ dirs: o.presetDirs, inline }), o.presets);
  if (o.flat) assertFlatFits(presets);
  const located = locateFfmpeg(o.ffmpegPath);
  const info = await inspectFfmpeg(located.path);
  assertCapabilities(located, info, presets);
  const outDir = resolve(o.output);
  for (const s of o.sources) checkSource(resolve(s));
  for (const s of o.sources) {
    const rel = overlap(outDir, s);
    if (rel) {
      throw new AudiofanError(
        'E_OUTPUT_INSIDE_SOURCE',
        `output folder ${outDir} and source folder ${resolve(s)}: ${rel}; ` +
          'outputs would be read back as sources (or sources deleted as outputs): ' +
          'choose an output folder outside every source',
        { file: outDir },
      );
    }
  }
  // A missing output folder is usually an unmounted disk: never fill the wrong one.
  if (!isDirectory(outDir)) {
    if (o.create && !o.dryRun) await mkdir(outDir, { recursive: true });
    else if (!o.dryRun) {
      throw new AudiofanError(
        'E_OUTPUT_MISSING',
        `output folder ${outDir} does not exist (is the disk mounted?); give --create to make it`,
        { file: outDir },
      );
    }
  }
  const ffmpeg = { path: located.path, version: info.version, source: located.source };
  emit({ type: 'start', outDir, presets: presets.map((p) => p.id), ffmpeg });
  return { o, startedAt, presets, ffmpeg, info, outDir, emit };
}
