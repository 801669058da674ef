import type { Redis } from 'ioredis';
import type { EngineKeys } from './keys.js';
import { decodeOccurrence, encodeOccurrence, type Occurrence } from './occurrence.js';

/**
 * Moves what is due by `horizon` from the timeline to `taking`, leased until `lease`, atomically,
 * so two dispatchers never take the same send. Chunked: Lua's unpack() is limited to ~8,000.
 */
const TAKE = `
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #items, 500 do
  local chunk = {}
  for j = i, math.min(i + 499, #items) do chunk[#chunk + 1] = items[j] end
  redis.call('ZREM', KEYS[1], unpack(chunk))
  local scored = {}
  for _, m in ipairs(chunk) do scored[#scored + 1] = ARGV[2]; scored[#scored + 1] = m end
  redis.call('ZADD', KEYS[2], unpack(scored))
end
return items`;

/** Puts sends whose lease ran out (their dispatcher died) back on the timeline at their due instant. */
const SWEEP = `
local items = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, m in ipairs(items) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], tonumber(string.match(m, '^(%d+)')), m)
end
return #items`;

/** How long what a retry carries outlives its due instant (then its attempt reads the database). */
const CARRY_KEPT_MS = 24 * 3600_000;

/** Where a send is now, for reconciliation. */
export type Whereabouts = { at: 'timeline' | 'taking' } | { at: 'held'; job: string } | { at: 'nowhere' };

export interface Timeline {
  readonly keys: EngineKeys;
  /** Plans sends (idempotent: an equal send is kept once). One round trip per call. */
  add(sends: readonly Occurrence[]): Promise<void>;
  /** Takes up to `limit` sends due by `horizon` from one shard, leased for `leaseMs`. */
  take(shard: number, horizon: number, leaseMs: number, limit: number): Promise<Occurrence[]>;
  /**
   * Records that these taken sends are handed to the batch job `jobId` (call before adding the
   * job: a dispatcher dying in between leaves them `held` by a job that does not exist, which
   * reconciliation sees, instead of sending them twice).
   */
  hand(shard: number, jobId: string, sends: readonly Occurrence[]): Promise<void>;
  /** Lets go of taken sends that will not be sent (cancelled or skipped when taken). */
  drop(shard: number, sends: readonly Occurrence[]): Promise<void>;
  /**
   * A held send is finished (its outcome is recorded); `next`, if given, is its retry, and
   * `carry` what that retry carries to its attempt (kept until a day after it is due).
   */
  finish(sends: readonly { send: Occurrence; next?: Occurrence; carry?: string }[]): Promise<void>;
  /** What each send carries (see {@link finish}), or null. One round trip. */
  carried(sends: readonly Occurrence[]): Promise<(string | null)[]>;
  /** Removes planned or taken sends (a cancelled plan); held ones are the worker's to drop. */
  remove(sends: readonly Occurrence[]): Promise<void>;
  /** Returns expired leases to the timeline; how many. */
  sweep(shard: number, now: number): Promise<number>;
  /** Where each send is. One round trip. */
  locate(sends: readonly Occurrence[]): Promise<Whereabouts[]>;
  /** Sends on one shard's timeline due by `until` (tests, metrics); at most `limit`. */
  planned(shard: number, until: number, limit?: number): Promise<Occurrence[]>;
}

type ScriptClient = Redis & {
  engineTake(timeline: string, taking: string, horizon: number, lease: number, limit: number): Promise<string[]>;
  engineSweep(timeline: string, taking: string, now: number): Promise<number>;
};

const defined = new WeakSet<Redis>();
function withScripts(redis: Redis): ScriptClient {
  if (!defined.has(redis)) {
    redis.defineCommand('engineTake', { numberOfKeys: 2, lua: TAKE });
    redis.defineCommand('engineSweep', { numberOfKeys: 2, lua: SWEEP });
    defined.add(redis);
  }
  return redis as ScriptClient;
}

function decodeAll(members: readonly string[]): Occurrence[] {
  const sends: Occurrence[] = [];
  for (const m of members) {
    const send = decodeOccurrence(m);
    if (send) sends.push(send);
  }
  return sends;
}

/** The plan in Redis: a sorted set per shard, and the sends taken from it or handed to workers. */
export function createTimeline(redis: Redis, keys: EngineKeys): Timeline {
  const scripts = withScripts(redis);
  const shardOf = (send: Occurrence) => keys.shardOf(send.scheduleId);

  async function exec(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  return {
    keys,

    async add(sends) {
      if (sends.length === 0) return;
      const pipeline = redis.pipeline();
      const byShard = new Map<number, (string | number)[]>();
      for (const send of sends) {
        const args = byShard.get(shardOf(send)) ?? [];
        args.push(send.dueAt, encodeOccurrence(send));
        byShard.set(shardOf(send), args);
      }
      for (const [shard, args] of byShard) {
        for (let i = 0; i < args.length; i += 2000) pipeline.zadd(keys.timeline(shard), ...args.slice(i, i + 2000));
      }
      await exec(pipeline);
    },

    async take(shard, horizon, leaseMs, limit) {
      const members = await scripts.engineTake(
        keys.timeline(shard),
        keys.taking(shard),
        Math.floor(horizon),
        Date.now() + leaseMs,
        limit,
      );
      return decodeAll(members);
    },

    async hand(shard, jobId, sends) {
      if (sends.length === 0) return;
      const members = sends.map(encodeOccurrence);
      const held: string[] = [];
      for (const m of members) held.push(m, jobId);
      await exec(
        redis
          .multi()
          .zrem(keys.taking(shard), ...members)
          .hset(keys.held(shard), ...held),
      );
    },

    async drop(shard, sends) {
      if (sends.length === 0) return;
      const members = sends.map(encodeOccurrence);
      // Held too, when reconciliation re-added a send whose batch job was gone.
      await exec(
        redis
          .multi()
          .zrem(keys.taking(shard), ...members)
          .hdel(keys.held(shard), ...members),
      );
    },

    async finish(items) {
      if (items.length === 0) return;
      const pipeline = redis.multi();
      for (const { send, next, carry } of items) {
        pipeline.hdel(keys.held(shardOf(send)), encodeOccurrence(send));
        if (next) pipeline.zadd(keys.timeline(shardOf(next)), next.dueAt, encodeOccurrence(next));
        // One key per event: the retry's carry replaces the attempt's, or the attempt's goes
        // (only a retry has one: a first attempt costs no command for it).
        if (next && carry !== undefined) {
          const ttlMs = Math.max(0, next.dueAt - Date.now()) + CARRY_KEPT_MS;
          pipeline.set(keys.carry(next.scheduleId, next.eventId), carry, 'PX', ttlMs);
        } else if (send.attempt > 1) pipeline.del(keys.carry(send.scheduleId, send.eventId));
      }
      await exec(pipeline);
    },

    async carried(sends) {
      if (sends.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const send of sends) pipeline.get(keys.carry(send.scheduleId, send.eventId));
      return (await exec(pipeline)).map((v) => (typeof v === 'string' ? v : null));
    },

    async remove(sends) {
      if (sends.length === 0) return;
      const pipeline = redis.pipeline();
      for (const send of sends) {
        const member = encodeOccurrence(send);
        pipeline
          .zrem(keys.timeline(shardOf(send)), member)
          .zrem(keys.taking(shardOf(send)), member)
          .del(keys.carry(send.scheduleId, send.eventId));
      }
      await exec(pipeline);
    },

    sweep(shard, now) {
      return scripts.engineSweep(keys.timeline(shard), keys.taking(shard), now);
    },

    async locate(sends) {
      if (sends.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const send of sends) {
        const member = encodeOccurrence(send);
        const shard = shardOf(send);
        pipeline.zscore(keys.timeline(shard), member).zscore(keys.taking(shard), member).hget(keys.held(shard), member);
      }
      const replies = await exec(pipeline);
      return sends.map((_, i): Whereabouts => {
        if (replies[i * 3] !== null) return { at: 'timeline' };
        if (replies[i * 3 + 1] !== null) return { at: 'taking' };
        const job = replies[i * 3 + 2];
        return typeof job === 'string' ? { at: 'held', job } : { at: 'nowhere' };
      });
    },

    async planned(shard, until, limit = 10_000) {
      return decodeAll(await redis.zrangebyscore(keys.timeline(shard), '-inf', until, 'LIMIT', 0, limit));
    },
  };
}
