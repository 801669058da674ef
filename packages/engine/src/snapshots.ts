import type { Redis } from 'ioredis';
import type { EngineKeys } from './keys.js';
import { parseSnapshot, type ScheduleSnapshot } from './snapshot.js';
import type { Fence } from './verdict.js';

/** Writes a snapshot unless the one stored is of a newer version (a stale planner never wins). */
const PUT = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, old = pcall(cjson.decode, current)
  if ok and type(old) == 'table' and tonumber(old.v) and tonumber(old.v) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** How long a snapshot is kept: planners refresh it every pass; a deleted schedule's goes sooner. */
const LIVE_TTL_MS = 7 * 86_400_000;
const DELETED_TTL_MS = 86_400_000;

/** A schedule change as announced on the changes channel. */
export interface Change extends Fence {
  scheduleId: string;
}

export interface SnapshotStore {
  /** The stored snapshots of these schedules (missing ones absent). One round trip. */
  get(scheduleIds: readonly string[]): Promise<Map<string, ScheduleSnapshot>>;
  /** Stores snapshots, each unless a newer version is stored. One round trip. */
  put(entries: readonly { scheduleId: string; snapshot: ScheduleSnapshot }[]): Promise<void>;
  /**
   * Stores a changed schedule's snapshot and announces the change to every dispatcher and worker
   * (they drop what they hold of older versions at once). The API awaits this before answering.
   */
  announce(scheduleId: string, snapshot: ScheduleSnapshot): Promise<void>;
}

type ScriptClient = Redis & { enginePutSnapshot(key: string, json: string, v: number, ttl: number): Promise<number> };
const defined = new WeakSet<Redis>();
function withScript(redis: Redis): ScriptClient {
  if (!defined.has(redis)) {
    redis.defineCommand('enginePutSnapshot', { numberOfKeys: 1, lua: PUT });
    defined.add(redis);
  }
  return redis as ScriptClient;
}

export const encodeChange = (c: Change) => `${c.scheduleId}|${c.version}|${c.status}`;

export function decodeChange(text: string): Change | null {
  const [scheduleId, version, status] = text.split('|');
  const v = Number(version);
  if (!scheduleId || !Number.isSafeInteger(v) || v < 1) return null;
  if (status !== 'active' && status !== 'paused' && status !== 'completed' && status !== 'deleted') return null;
  return { scheduleId, version: v, status };
}

export function createSnapshotStore(redis: Redis, keys: EngineKeys): SnapshotStore {
  const scripts = withScript(redis);
  const ttl = (s: ScheduleSnapshot) => (s.status === 'deleted' ? DELETED_TTL_MS : LIVE_TTL_MS);

  function putAll(
    pipeline: ReturnType<Redis['pipeline']>,
    entries: readonly { scheduleId: string; snapshot: ScheduleSnapshot }[],
  ) {
    for (const { scheduleId, snapshot } of entries) {
      (pipeline as unknown as ScriptClient).enginePutSnapshot(
        keys.snapshot(scheduleId),
        JSON.stringify(snapshot),
        snapshot.v,
        ttl(snapshot),
      );
    }
  }

  return {
    async get(scheduleIds) {
      const found = new Map<string, ScheduleSnapshot>();
      const unique = [...new Set(scheduleIds)];
      if (unique.length === 0) return found;
      // MGET per shard: a cluster serves one slot per command.
      const byShard = new Map<number, string[]>();
      for (const id of unique) byShard.set(keys.shardOf(id), [...(byShard.get(keys.shardOf(id)) ?? []), id]);
      const pipeline = redis.pipeline();
      const order: string[][] = [];
      for (const ids of byShard.values()) {
        pipeline.mget(...ids.map((id) => keys.snapshot(id)));
        order.push(ids);
      }
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, values], i) => {
        if (error) throw error;
        (values as (string | null)[]).forEach((text, j) => {
          const snapshot = parseSnapshot(text);
          const id = order[i]?.[j];
          if (snapshot && id) found.set(id, snapshot);
        });
      });
      return found;
    },

    async put(entries) {
      if (entries.length === 0) return;
      withScript(redis);
      const pipeline = redis.pipeline();
      putAll(pipeline, entries);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },

    async announce(scheduleId, snapshot) {
      await scripts.enginePutSnapshot(keys.snapshot(scheduleId), JSON.stringify(snapshot), snapshot.v, ttl(snapshot));
      await redis.publish(keys.changes, encodeChange({ scheduleId, version: snapshot.v, status: snapshot.status }));
    },
  };
}

/**
 * Listens for schedule changes on a connection of its own (a subscribed connection can do nothing
 * else). Returns a function that unsubscribes and closes it. `onReconnect` runs after the
 * connection came back: changes announced meanwhile were missed, so holders re-check what they hold.
 */
export async function subscribeChanges(
  subscriber: Redis,
  keys: EngineKeys,
  onChange: (change: Change) => void,
  onReconnect?: () => void,
): Promise<() => Promise<void>> {
  let ready = false;
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== keys.changes) return;
    const change = decodeChange(text);
    if (change) onChange(change);
  });
  subscriber.on('ready', () => {
    if (ready) onReconnect?.();
    ready = true;
  });
  await subscriber.subscribe(keys.changes);
  ready = true;
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
