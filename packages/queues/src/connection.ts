import { redisConnectionOptions } from '@event-scheduler/config';
import type { Logger } from '@event-scheduler/logging';
import type { Shutdown } from '@event-scheduler/runtime';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'consumer';

export interface CreateRedisOptions {
  connection: RedisOptions;
  /**
   * `consumer` (BullMQ workers): commands wait across reconnects (`maxRetriesPerRequest: null`, as
   * BullMQ requires). `producer` (API, planners): commands fail at once while Redis is away
   * (`enableOfflineQueue: false`), so a request gets a fast error instead of hanging.
   */
  role: RedisRole;
  /** Called on connection errors; ioredis reconnects by itself. */
  onError?: (error: Error) => void;
}

export function createRedis({ connection, role, onError }: CreateRedisOptions): Redis {
  const client = new Redis({
    ...connection,
    connectionName: `event-scheduler-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...(role === 'consumer' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
  });
  client.on('error', (error: Error) => onError?.(error));
  return client;
}

/** Resolves once the client is ready; rejects after `timeoutMs` with the last connection error. */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  const where = `Redis at ${client.options.host}:${client.options.port}`;
  return new Promise((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`cannot reach ${where} within ${Math.round(timeoutMs / 1000)} s: ${lastError}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off('error', onError);
      client.off('ready', onReady);
    };
    client.on('error', onError);
    client.once('ready', onReady);
  });
}

/**
 * Connects at start-up (waiting up to `redis.connect_timeout_seconds`), logs connection errors
 * and registers the close with the service's shutdown.
 */
export async function openRedis({
  redis,
  role,
  log,
  shutdown,
}: {
  redis: Parameters<typeof redisConnectionOptions>[0] & { connect_timeout_seconds: number };
  role: RedisRole;
  log: Logger;
  shutdown: Pick<Shutdown, 'add'>;
}): Promise<Redis> {
  const client = createRedis({
    connection: redisConnectionOptions(redis),
    role,
    onError: (error) => log.warn({ err: error.message, role }, 'redis connection error'),
  });
  shutdown.add(`redis (${role})`, () => client.quit().catch(() => client.disconnect()));
  await waitForRedis(client, redis.connect_timeout_seconds * 1000);
  log.info({ role }, 'redis connected');
  return client;
}
