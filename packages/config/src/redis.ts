import type { Static } from 'typebox';
import type { RedisConfig } from './fragments.js';

/** ioredis-style connection options from the config; `redis.url` wins over host and port. */
export function redisConnectionOptions(redis: Pick<Static<typeof RedisConfig>, 'host' | 'port' | 'url'>): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
} {
  if (!redis.url) return { host: redis.host, port: redis.port };
  const url = new URL(redis.url);
  const db = Number(url.pathname.slice(1));
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 && Number.isInteger(db) ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
