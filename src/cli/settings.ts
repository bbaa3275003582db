/**
 * Where the CLI's settings come from, in one place: defaults < config file < environment < flags.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { AudiofanError } from '../errors.js';
import { parseJsonc } from './jsonc.js';
import type { ConvertOptions } from '../run/options.js';
import {
  CLI_FLAGS,
  configKey,
  flagAttribute,
  longFlag,
  OPTIONS,
  type OptionKey,
  type OptionSpec,
} from '../run/option-table.js';

/** A config file: an object whose keys are the option table's config keys (see option-table.ts). */
export type ConfigFile = Record<string, unknown>;

/** Every config key, and the option it sets: the one place a config file's shape is decided is the table. */
const CONFIG_KEYS: ReadonlyMap<string, [string, OptionSpec]> = new Map(
  Object.entries({ ...OPTIONS, ...CLI_FLAGS }).flatMap(([k, spec]) => {
    const c = configKey(k, spec);
    return c === undefined ? [] : [[c, [k, spec as OptionSpec]] as const];
  }),
);

/** A config file is a few hundred bytes; anything near this is a mistake (a log, a music file). */
export const MAX_CONFIG_BYTES = 1 << 20;

function configError(file: string, why: string, cause?: unknown): AudiofanError {
  return new AudiofanError('E_CONFIG_INVALID', `config file ${file}: ${why}`, { file, ...(cause ? { cause } : {}) });
}

/** A config file's text: only a regular file, only up to MAX_CONFIG_BYTES (--config /dev/zero must not hang). */
function readConfigText(file: string): string {
  let fd: number;
  try {
    // stat first: opening a FIFO for reading would block until something writes to it.
    if (!statSync(file).isFile())
      throw configError(file, 'not a regular file (a device, pipe or folder cannot be a config file)');
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw e instanceof AudiofanError ? e : configError(file, (e as Error).message, e);
  }
  try {
    if (!fstatSync(fd).isFile()) throw configError(file, 'not a regular file');
    // Read to the end (files in /proc say size 0) but never past the cap.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_CONFIG_BYTES)
      throw configError(file, `larger than ${MAX_CONFIG_BYTES} bytes; a config file is a small JSON object`);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    throw e instanceof AudiofanError ? e : configError(file, (e as Error).message, e);
  } finally {
    closeSync(fd);
  }
}

function readConfig(file: string): ConfigFile {
  let data: unknown;
  try {
    data = parseJsonc(readConfigText(file));
  } catch (e) {
    throw e instanceof AudiofanError ? e : configError(file, `not valid JSON: ${(e as Error).message}`, e);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw configError(file, 'expected a JSON object');
  const known = [...CONFIG_KEYS.keys()];
  const unknown = Object.keys(data).filter((k) => !known.includes(k) && k !== '$schema');
  if (unknown.length) throw configError(file, `unknown key(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  for (const [key, value] of Object.entries(data)) {
    const spec = key === '$schema' ? undefined : CONFIG_KEYS.get(key)![1];
    const why = spec?.check(
      typeof value === 'string' && spec.configText && spec.fromText ? spec.fromText(value) : value,
    );
    if (why) throw configError(file, `"${key}": ${why}`);
  }
  return data as ConfigFile;
}

/** commander's parsed flags: attribute names as commander derives them from the table's flags. */
export type Flags = Record<string, unknown> & { config?: string };

/**
 * Merge the layers, later winning: defaults < config file < environment < flags (folders add up).
 * Every value is checked with its row's check, and a bad one names where it came from.
 */
export function resolveSettings(flags: Flags, env: NodeJS.ProcessEnv = process.env): Partial<ConvertOptions> {
  const configPath = flags.config ?? env.AUDIOFAN_CONFIG;
  const cfg = configPath ? readConfig(configPath) : {};
  const out: Record<string, unknown> = {};
  // CLI flags with a config key (logFile) are settled here too, in the same order.
  const rows = [
    ...Object.entries(OPTIONS),
    ...Object.entries(CLI_FLAGS).filter(([, s]) => typeof s.config === 'string'),
  ];
  for (const [key, spec] of rows as [OptionKey, OptionSpec][]) {
    const layers: unknown[] = [];
    const c = configKey(key, spec);
    // Config values were checked by readConfig; comma-separated ids are lists.
    const fromConfig = c === undefined ? undefined : cfg[c];
    if (fromConfig !== undefined)
      layers.push(
        typeof fromConfig === 'string' && spec.configText && spec.fromText ? spec.fromText(fromConfig) : fromConfig,
      );
    if (spec.env && env[spec.env]) layers.push(fromText(spec, env[spec.env]!, spec.env));
    const given = spec.flag ? flags[flagAttribute(spec.flag)] : undefined;
    // commander gives a --no-x flag's option true unless the flag is there.
    if (given !== undefined && !(spec.negate && given === true)) {
      const from = longFlag(spec.flag!);
      const values = spec.negate || typeof given === 'boolean' ? [given] : Array.isArray(given) ? given : [given];
      layers.push(
        spec.negate || typeof given === 'boolean'
          ? given
          : spec.repeat
            ? values.flatMap((v) => fromText(spec, String(v), from) as unknown[])
            : fromText(spec, String(given), from),
      );
    }
    if (!layers.length) continue;
    out[key] = spec.append ? layers.flat() : layers.at(-1);
  }
  return out as Partial<ConvertOptions>;
}

/** A flag's or variable's text as a value, checked; E_USAGE naming the flag or variable. */
function fromText(spec: OptionSpec, s: string, from: string): unknown {
  const v = spec.fromText ? spec.fromText(s) : s;
  const why = spec.check(v);
  if (why) throw new AudiofanError('E_USAGE', `${from}: ${why.replace(/, got .*$/, '')}, got "${s}"`);
  return v;
}

/** The library options for a conversion run. */
export function toConvertOptions(s: Partial<ConvertOptions>, sources: string[]): ConvertOptions {
  // The config's sources, then the operands; the CLI's own settings (logFile) are not library options.
  const all = [...(s.sources ?? []), ...sources];
  if (!all.length)
    throw new AudiofanError('E_USAGE', 'no source folder given (see audiofan --help, or "sources" in the config file)');
  if (!s.output) throw new AudiofanError('E_USAGE', 'no output folder: give -o DIR (or "output" in the config file)');
  const { logFile: _logFile, ...library } = s as Partial<ConvertOptions> & { logFile?: string };
  return { ...library, sources: all, output: s.output };
}

/** The log file a run appends NDJSON to (--log-file, or logFile in the config), if any. */
export function logFileOf(s: Partial<ConvertOptions>): string | undefined {
  return (s as { logFile?: string }).logFile;
}
