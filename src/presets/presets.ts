/**
 * Presets are data: presets/*.json and the user's own, validated at load (schema, then encoder arguments).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AudiofanError } from '../errors.js';
import { builtinPresetsDir, schemaPath } from '../paths.js';
import { containers, type ContainerInfo } from './containers.js';
import { encoderArgsProblem } from './preset-args.js';

/** A validated preset, as written in presets/*.json (see src/schemas/preset.schema.json). */
export interface Preset {
  id: string;
  description: string;
  container: keyof typeof containers & string;
  extension: string;
  encoder: string;
  encoderArgs: string[];
  sampleRates?: number[];
  bitDepth?: 16 | 24;
  /** Resampler when the rate changes. Default: soxr for lossless presets, swr for lossy ones (see recipe.ts). */
  resampler?: 'soxr' | 'swr';
  dither?: boolean;
  /** A master deeper than the lossless target can hold is reduced (dithered) instead of failing E_SOURCE_DEPTH. */
  allowReduceDepth?: boolean;
  maxChannels?: number;
  multichannelArgs?: string[];
  art?: boolean;
  lossless?: boolean;
  /** Where the preset was read from (a file path, or "config:<file>"). */
  origin: string;
  /** sha256 of the preset's defining fields: changes whenever its output would change. */
  hash: string;
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // Compiled lazily so importing the package stays free of work and file reads.
  validator ??= new Ajv({ allErrors: true, useDefaults: false }).compile(
    JSON.parse(readFileSync(schemaPath('preset.schema.json'), 'utf8')),
  );
  return validator;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const field = e.instancePath || '(top level)';
      const extra =
        e.keyword === 'additionalProperties'
          ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.keyword === 'enum'
            ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
            : '';
      return `${field} ${e.message}${extra}`;
    })
    .join('; ');
}

/** Validate one parsed preset object; throws E_PRESET_INVALID naming the origin and field. */
export function parsePreset(data: unknown, origin: string): Preset {
  const check = validate();
  if (!check(data)) {
    throw new AudiofanError('E_PRESET_INVALID', `${origin}: ${describeErrors(check.errors)}`, { file: origin });
  }
  const p = data as Omit<Preset, 'origin' | 'hash'> & { $schema?: string };
  for (const field of ['encoderArgs', 'multichannelArgs'] as const) {
    const bad = encoderArgsProblem(p[field] ?? []);
    if (bad) {
      const at = `/${field}/${bad.index}`;
      throw new AudiofanError(
        'E_PRESET_INVALID',
        bad.kind === 'unpaired'
          ? `${origin}: ${at} ${bad.arg} has no value: ${bad.why}`
          : `${origin}: /${field} must not contain ${bad.arg} (${at}): ${bad.why}`,
        { file: origin },
      );
    }
  }
  const { $schema: _ignored, ...fields } = p;
  const hash = createHash('sha256')
    .update(JSON.stringify(fields, Object.keys(fields).sort()))
    .digest('hex')
    .slice(0, 16);
  return { ...fields, origin, hash };
}

/** Read every *.json preset in a folder (not recursive), in name order. */
export function readPresetDir(dir: string): Preset[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'))
      .sort();
  } catch (e) {
    throw new AudiofanError('E_CONFIG_INVALID', `presets folder ${dir}: ${(e as Error).message}`, {
      file: dir,
      cause: e,
    });
  }
  return names.map((name) => {
    const file = join(dir, name);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new AudiofanError('E_PRESET_INVALID', `${file}: not valid JSON: ${(e as Error).message}`, {
        file,
        cause: e,
      });
    }
    return parsePreset(data, file);
  });
}

/** Where presets come from: built-ins, then user folders, then inline presets (later wins by id). */
export interface PresetSources {
  /** Extra folders of *.json presets. Default: none. */
  dirs?: string[];
  /** Presets given inline (e.g. from a config file), each with its origin for messages. */
  inline?: { data: unknown; origin: string }[];
}

/** Load built-in and user presets; a user preset with a built-in's id replaces it. */
export function loadPresets(sources: PresetSources = {}): Map<string, Preset> {
  const all = [builtinPresetsDir, ...(sources.dirs ?? []).map((d) => resolve(d))].flatMap(readPresetDir);
  all.push(...(sources.inline ?? []).map(({ data, origin }) => parsePreset(data, origin)));
  const byId = new Map<string, Preset>();
  for (const p of all) byId.set(p.id, p);
  return byId;
}

/** Pick presets by id, in the order asked; an unknown id is E_PRESET_UNKNOWN listing what exists. */
export function selectPresets(all: Map<string, Preset>, ids: string[]): Preset[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new AudiofanError('E_USAGE', 'no presets asked for (use -p, e.g. -p mp3-v0,opus-128)');
  return unique.map((id) => {
    const p = all.get(id);
    if (!p)
      throw new AudiofanError(
        'E_PRESET_UNKNOWN',
        `unknown preset "${id}"; known: ${[...all.keys()].sort().join(', ')}`,
      );
    return p;
  });
}

/** The container facts for a preset. */
export function containerOf(p: Preset): ContainerInfo {
  return containers[p.container];
}
