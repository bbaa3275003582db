/**
 * Connections to Redis: the options BullMQ and ioredis connect with, made from a queue URL
 * (redis://[user:pass@]host[:port][/db], rediss:// for TLS) or given as ioredis options.
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { AudiofanError } from '../errors.js';
import { connectionProblem, type QueueConnection } from './url.js';

/**
 * ioredis options from a connection. `maxRetriesPerRequest: null` makes every command wait through a Redis
 * restart instead of failing (BullMQ requires it for workers; the coordinator wants the same: wait and resume).
 */
export function redisOptions(c: QueueConnection, stopped?: () => boolean): RedisOptions {
  const base: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // Reconnect (every 2 s at most) until the owner stops: then no socket or timer may keep the process alive.
    retryStrategy: (times) => (stopped?.() ? null : Math.min(times * 100, 2000)),
  };
  if (typeof c !== 'string') return { ...c, ...base };
  const why = connectionProblem(c);
  if (why) throw new AudiofanError('E_USAGE', `option queue: ${why}`);
  const u = new URL(c);
  const db = u.pathname.replace(/^\//, '');
  return {
    ...base,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}

/** The same options, in BullMQ's type (it declares its own copy of ioredis's). */
export function bullConnection(c: QueueConnection, stopped?: () => boolean): ConnectionOptions {
  return redisOptions(c, stopped) as ConnectionOptions;
}

/** A plain connection for what BullMQ does not do for us (the registry, the cancel channel). */
export function openRedis(c: QueueConnection, stopped?: () => boolean): Redis {
  return new Redis(redisOptions(c, stopped));
}
