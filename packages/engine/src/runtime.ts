import type { Redis } from 'ioredis';
import type { EngineKeys } from './keys.js';

/** Sets `last_run` to the larger of the stored and the given instant. */
const NOTE_RUN = `
local current = tonumber(redis.call('HGET', KEYS[1], 'last_run') or '0')
if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'last_run', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** What workers learn about a schedule as it runs. */
export interface ScheduleRuntime {
  /** The latest occurrence that was delivered or attempted. */
  lastRunAt: Date | null;
  /** Failed occurrences in a row (reset by a success, or when the schedule is paused for them). */
  consecutiveFailures: number;
  /** When that streak began. */
  failingSince: Date | null;
}

/** Runtime facts live a month after the last write; a schedule that stops running forgets them. */
const RUNTIME_TTL_MS = 30 * 86_400_000;

/**
 * Facts workers learn as a schedule runs (last run, failure streak), kept in Redis beside the
 * plan rather than in the schedule document: workers write them all the time, and on FerretDB v1
 * any write rewrites the whole schedule, so it could undo the API's changes (an acknowledged pause
 * came back as active). Losing them with Redis costs only these numbers (the API then reads the
 * last run from the archive).
 */
export function createRuntimeStore(redis: Redis, keys: EngineKeys) {
  if (!(redis as { engineNoteRun?: unknown }).engineNoteRun)
    redis.defineCommand('engineNoteRun', { numberOfKeys: 1, lua: NOTE_RUN });
  const client = redis as Redis & { engineNoteRun(key: string, at: number, ttl: number): Promise<number> };
  return {
    /** Records the latest run of each schedule (one round trip for all). */
    async noteRuns(runs: ReadonlyMap<string, number>): Promise<void> {
      if (runs.size === 0) return;
      const pipeline = client.pipeline() as unknown as typeof client & {
        exec(): Promise<[Error | null, unknown][] | null>;
      };
      for (const [scheduleId, at] of runs) pipeline.engineNoteRun(keys.runtime(scheduleId), at, RUNTIME_TTL_MS);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },

    /** Counts a failed occurrence; returns the streak now. */
    async countFailure(scheduleId: string, now: Date): Promise<{ count: number; since: Date }> {
      const key = keys.runtime(scheduleId);
      const replies =
        (await redis
          .multi()
          .hincrby(key, 'fails', 1)
          .hsetnx(key, 'failing_since', String(now.getTime()))
          .hget(key, 'failing_since')
          .pexpire(key, RUNTIME_TTL_MS)
          .exec()) ?? [];
      const count = Number(replies[0]?.[1] ?? 1);
      const since = Number(replies[2]?.[1] ?? now.getTime());
      return { count, since: new Date(since) };
    },

    /** A success (or a pause) ends the streak. */
    async endStreak(scheduleId: string): Promise<void> {
      await redis.hdel(keys.runtime(scheduleId), 'fails', 'failing_since');
    },

    /** The runtime facts of these schedules. One round trip. */
    async read(scheduleIds: readonly string[]): Promise<Map<string, ScheduleRuntime>> {
      const found = new Map<string, ScheduleRuntime>();
      if (scheduleIds.length === 0) return found;
      const pipeline = redis.pipeline();
      for (const id of scheduleIds) pipeline.hmget(keys.runtime(id), 'last_run', 'fails', 'failing_since');
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, value], i) => {
        if (error) throw error;
        const [lastRun, fails, since] = value as (string | null)[];
        const id = scheduleIds[i];
        if (id === undefined) return;
        found.set(id, {
          lastRunAt: lastRun ? new Date(Number(lastRun)) : null,
          consecutiveFailures: fails ? Number(fails) : 0,
          failingSince: since ? new Date(Number(since)) : null,
        });
      });
      return found;
    },
  };
}

export type RuntimeStore = ReturnType<typeof createRuntimeStore>;
