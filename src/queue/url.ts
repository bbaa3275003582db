/**
 * The queue option as text: a Redis URL checked without connecting, and shown in logs without its password.
 * Kept apart from connection.ts so the option table can check a URL without loading ioredis.
 */
import type { RedisOptions } from 'ioredis';

/** A Redis URL, or ioredis options for what a URL cannot say (a CA file, sentinels). */
export type QueueConnection = string | RedisOptions;

/** The `queue` option: where Redis is, and how many jobs this run keeps in the queue at once. */
export interface QueueSettings {
  connection: QueueConnection;
  /** Jobs waiting or running on workers at once. Default 64. */
  inFlight?: number;
  /** How often in-flight jobs are looked at directly, besides BullMQ's events. Default 2000 ms. */
  pollMs?: number;
  /** How long the first connection may take before every job fails, saying Redis cannot be reached. Default 30000 ms. */
  connectTimeoutMs?: number;
}

/** The URL with its password replaced by `***`, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Why `v` is not a queue connection, or undefined (the option table's check). */
export function connectionProblem(v: unknown): string | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return undefined;
  if (typeof v !== 'string') return 'expected a redis:// or rediss:// URL, or ioredis options';
  try {
    const u = new URL(v);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
      return `expected a redis:// or rediss:// URL, got ${u.protocol}// (${redactUrl(v)})`;
    if (!u.hostname) return `no host in ${redactUrl(v)}`;
    const db = u.pathname.replace(/^\//, '');
    if (db && !/^\d+$/.test(db)) return `the database must be a number, got "${db}" in ${redactUrl(v)}`;
  } catch {
    return 'expected a redis:// or rediss:// URL (not parsable as a URL)';
  }
  return undefined;
}

/** How the connection is shown in logs: the redacted URL, or host:port of options. */
export function describeConnection(c: QueueConnection): string {
  if (typeof c === 'string') return redactUrl(c);
  return `${c.tls ? 'rediss' : 'redis'}://${c.host ?? 'localhost'}:${c.port ?? 6379}/${c.db ?? 0}`;
}

/** Why `v` is not a `queue` option value, or undefined (the option table's check). */
export function queueSettingsProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected { connection: "redis://host:6379/0" }';
  const q = v as Record<string, unknown>;
  const why = connectionProblem(q.connection);
  if (why) return `connection: ${why}`;
  for (const k of ['inFlight', 'pollMs', 'connectTimeoutMs'] as const) {
    const n = q[k];
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 1_000_000))
      return `${k}: expected a whole number from 1 to 1000000`;
  }
  return undefined;
}
