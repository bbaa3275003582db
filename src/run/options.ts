/**
 * The library's options: their types and defaults come from the option table (option-table.ts), and
 * one validator checks every value with the table's checks, so a bad value gets the same message
 * whichever way it arrives (library call, config file, environment or flag).
 */
import { availableParallelism } from 'node:os';
import { AudiofanError } from '../errors.js';
import type { Logger } from '../model.js';
import { parseMaxDelete, type MaxDelete } from '../plan/delete-guard.js';
import { parseLayout } from '../plan/layout.js';
import type { ExecutorFactory } from '../transcode/executor.js';
import { OPTIONS, type OptionKey, type TableOptions } from './option-table.js';

export type { Logger } from '../model.js';

/** convertLibrary's options: every row of the option table, plus what only a program can pass. */
export interface ConvertOptions extends TableOptions {
  /** Source folders, walked recursively. Required. */
  sources: string[];
  /** Output folder; outputs go to <output>/<preset-id>/... Required. */
  output: string;
  /** Receives structured logs (pino-compatible). Default: silent. */
  logger?: Logger;
  /** Cancels the run: running ffmpeg processes are stopped and the manifest records what finished. */
  signal?: AbortSignal;
  /** Where jobs run: a factory given the number of jobs at once. Default: a local piscina pool of worker threads. */
  executor?: ExecutorFactory;
}

/** Rows with no default (none, or decided at run time); every other row has one in the table. */
type NoDefault = 'sources' | 'output' | 'jobs' | 'maxDelete' | 'ffmpegPath' | 'artMaxSize' | 'layout';
type Defaulted = { [K in Exclude<OptionKey, NoDefault>]: NonNullable<TableOptions[K]> };

/** Every option's default, from the table. */
export const DEFAULTS: Readonly<Defaulted> = Object.fromEntries(
  Object.entries(OPTIONS)
    .filter(([, s]) => 'default' in s)
    .map(([k, s]) => [k, (s as { default: unknown }).default]),
) as unknown as Defaulted;

/** Options after validation, with defaults filled in. */
export type ResolvedOptions = Defaulted &
  Required<Pick<ConvertOptions, 'sources' | 'output' | 'jobs'>> &
  Pick<ConvertOptions, 'ffmpegPath' | 'signal' | 'artMaxSize' | 'layout' | 'executor'> & {
    logger: Logger;
    maxDelete?: MaxDelete;
  };

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function bad(option: string, why: string): never {
  throw new AudiofanError('E_USAGE', `option ${option}: ${why}`);
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

/** Check types and ranges, fill defaults. Throws E_USAGE naming the option. */
export function resolveOptions(o: ConvertOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null) bad('(options)', 'expected an object');
  if (!isStrings(o.sources) || o.sources.length === 0) bad('sources', 'give at least one source folder');
  if (typeof o.output !== 'string' || !o.output) bad('output', 'give an output folder');
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(OPTIONS)) {
    const v = (o as unknown as Record<string, unknown>)[key];
    const why = v === undefined ? undefined : spec.check(v);
    if (why) bad(key, why);
    values[key] = v ?? ('default' in spec ? spec.default : undefined);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) bad('signal', 'expected an AbortSignal');
  if (o.executor !== undefined && typeof o.executor !== 'function')
    bad('executor', 'expected a function (slots) => Executor');
  // A layout's syntax error is reported now, naming the problem.
  if (o.layout !== undefined) parseLayout(o.layout);
  return {
    ...(values as Defaulted),
    sources: o.sources,
    output: o.output,
    jobs: o.jobs ?? availableParallelism(),
    ffmpegPath: o.ffmpegPath,
    artMaxSize: o.artMaxSize,
    layout: o.layout,
    signal: o.signal,
    logger: o.logger ?? silent,
    ...(o.executor ? { executor: o.executor } : {}),
    ...(o.maxDelete !== undefined ? { maxDelete: parseMaxDelete(o.maxDelete) } : {}),
  };
}
