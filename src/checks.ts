/**
 * Type checks for option values, shared by the config file reader and the library's option validator,
 * so a bad value gets the same reason whichever way it arrives.
 */

/** Why `v` is not acceptable, or undefined when it is. */
export type Check = (v: unknown) => string | undefined;

/** A value as it appears in a message: short, and typed ("no" in quotes, 5 without). */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export const bool: Check = (v) => (typeof v === 'boolean' ? undefined : `expected true or false, got ${show(v)}`);

export const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? undefined : `expected a non-empty string, got ${show(v)}`;

/** A list of non-empty strings (possibly empty itself). */
export const texts: Check = (v) => {
  if (!Array.isArray(v)) return `expected a list of strings, got ${show(v)}`;
  const i = v.findIndex((s) => typeof s !== 'string' || s.length === 0);
  return i < 0 ? undefined : `expected a list of strings, but item ${i} is ${show(v[i])}`;
};

/** A list of JSON objects (not null, not arrays). */
export const objects: Check = (v) => {
  if (!Array.isArray(v)) return `expected a list of objects, got ${show(v)}`;
  const i = v.findIndex((o) => typeof o !== 'object' || o === null || Array.isArray(o));
  return i < 0 ? undefined : `expected a list of objects, but item ${i} is ${show(v[i])}`;
};

export const int =
  (min: number, max: number, unit?: string): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `expected a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, got ${show(v)}`;

export const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `expected one of ${allowed.map(show).join(', ')}, got ${show(v)}`;
