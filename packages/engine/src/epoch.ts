import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EngineKeys } from './keys.js';

/**
 * Notices that Redis lost its data (a restart without persistence, a failover to an empty
 * replica, FLUSHALL): each shard has an epoch key, set once; when it is gone, so is the plan of
 * that shard. Returns the shards whose epoch was missing (and sets a new one, so exactly one
 * caller sees each loss). Call it every second or so: one round trip.
 */
export async function lostShards(redis: Redis, keys: EngineKeys): Promise<number[]> {
  const pipeline = redis.pipeline();
  const epoch = randomUUID();
  for (let shard = 0; shard < keys.shards; shard++) pipeline.set(keys.epoch(shard), epoch, 'NX');
  const replies = (await pipeline.exec()) ?? [];
  return replies.flatMap(([error, value], shard) => {
    if (error) throw error;
    return value === 'OK' ? [shard] : [];
  });
}
