/**
 * Is a parsed manifest one this build can trust? Checks the fields later stages decide with (which files are
 * ours, what is up to date), so a damaged or foreign file stops the run instead of crashing or misleading it.
 */
import { isAbsolute } from 'node:path';
import { show } from '../checks.js';

type Problem = string | undefined;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

type Kind = 'path' | 'string' | 'number';
const expected: Record<Kind, string> = { path: 'a non-empty string', string: 'a string', number: 'a number' };

type Spec = readonly (readonly [string, Kind, boolean])[];

/*
 * This runs over every record of every nightly run (30,000 objects for a 10,000-track library), so it
 * allocates nothing on the good path: specs are constants and a record's JSON pointer is only built
 * for the message of a bad one.
 */
function fields(o: Obj, at: () => string, spec: Spec): Problem {
  for (const [key, kind, required] of spec) {
    const v = o[key];
    if (v === undefined && !required) continue;
    const ok =
      kind === 'number'
        ? typeof v === 'number' && Number.isFinite(v)
        : typeof v === 'string' && (kind === 'string' || v.length > 0);
    if (!ok) return `${at()}/${key}: expected ${expected[kind]}, got ${show(v)}`;
  }
  return undefined;
}

const OUTPUT_FIELDS: Spec = [
  ['preset', 'path', true],
  ['presetHash', 'string', true],
  ['path', 'path', true],
  ['status', 'string', true],
  ['size', 'number', false],
  ['mtimeMs', 'number', false],
  ['tagsHash', 'string', false],
];
const SOURCE_FIELDS: Spec = [
  ['path', 'path', true],
  ['status', 'string', true],
  ['size', 'number', false],
  ['mtimeMs', 'number', false],
  ['fingerprint', 'string', false],
];
/** A ".." component, with either separator. */
const PARENT = /(^|[\\/])\.\.([\\/]|$)/;

function outputProblem(x: unknown, at: () => string): Problem {
  if (!isObj(x)) return `${at()}: expected an output object, got ${show(x)}`;
  const p = fields(x, at, OUTPUT_FIELDS);
  if (p) return p;
  // --delete removes recorded outputs: a recorded path must stay inside the output folder.
  const path = x.path as string;
  if (isAbsolute(path) || PARENT.test(path) || path.includes('\0'))
    return `${at()}/path: ${show(path)} leaves the output folder`;
  return undefined;
}

function sourceProblem(s: unknown, at: () => string): Problem {
  if (!isObj(s)) return `${at()}: expected a source object with a string "path", got ${show(s)}`;
  const p = fields(s, at, SOURCE_FIELDS);
  if (p) return p;
  if (!Array.isArray(s.outputs)) return `${at()}/outputs: expected a list, got ${show(s.outputs)}`;
  for (let i = 0; i < s.outputs.length; i++) {
    const q = outputProblem(s.outputs[i], () => `${at()}/outputs/${i}`);
    if (q) return q;
  }
  return undefined;
}

/** The first thing wrong with a parsed manifest of the current version, as "<JSON pointer>: <why>". */
export function manifestProblem(m: unknown): Problem {
  if (!isObj(m)) return `(top level): expected a JSON object, got ${show(m)}`;
  if (!Array.isArray(m.sources)) return `/sources: expected a list, got ${show(m.sources)}`;
  for (let i = 0; i < m.sources.length; i++) {
    const p = sourceProblem(m.sources[i], () => `/sources/${i}`);
    if (p) return p;
  }
  return undefined;
}
