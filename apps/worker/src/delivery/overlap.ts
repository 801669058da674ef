import { type EngineKeys, type HeldSend, supersede } from '@event-scheduler/engine';
import { attachAttempt, findArchivedEvent } from '@event-scheduler/models';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';

/**
 * Sends of one schedule in flight or waiting for a retry, kept in Redis (shared by every worker)
 * for schedules whose overlap policy is not `allow`: an event joins when its first attempt is
 * sent and leaves when it is finished. `allow` schedules cost nothing here.
 */
export interface OverlapGuard {
  /** Older events of the schedule still being delivered (their ids), and registers this one. */
  enter(h: HeldSend): Promise<string[]>;
  /** Whether this event is still registered (not once superseded, nor after Redis lost the set). */
  isBusy(h: HeldSend): Promise<boolean>;
  /** This send is finished. */
  done(h: HeldSend): Promise<void>;
  /** Another event of the schedule is finished (superseded). */
  leave(scheduleId: string, eventId: string): Promise<void>;
}

/** Registrations are forgotten after this long even if a worker died without `done`. */
const TTL_MS = 86_400_000;

export function createOverlapGuard(redis: Redis, keys: EngineKeys): OverlapGuard {
  return {
    async enter(h) {
      if (h.snapshot.overlap_policy === 'allow') return [];
      const key = keys.busy(h.send.scheduleId);
      const replies =
        (await redis
          .multi()
          .zrangebyscore(key, '-inf', `(${h.send.occurrenceAt}`)
          .zadd(key, h.send.occurrenceAt, h.send.eventId)
          .pexpire(key, TTL_MS)
          .exec()) ?? [];
      const [error, older] = replies[0] ?? [null, []];
      if (error) throw error;
      return (older as string[]).filter((id) => id !== h.send.eventId);
    },
    async isBusy(h) {
      return (await redis.zscore(keys.busy(h.send.scheduleId), h.send.eventId)) !== null;
    },
    async done(h) {
      if (h.snapshot.overlap_policy === 'allow') return;
      await redis.zrem(keys.busy(h.send.scheduleId), h.send.eventId);
    },
    async leave(scheduleId, eventId) {
      await redis.zrem(keys.busy(scheduleId), eventId);
    },
  };
}

/** What the overlap policy lets a send do at its instant. */
export type OverlapDecision =
  | { go: true }
  | { go: false; status: 'skipped'; message: string }
  | { go: false; status: 'superseded' };

const GO: OverlapDecision = { go: true };

/**
 * The overlap policy at the instant a send goes out: with `skip`, a first attempt whose
 * predecessor is still being delivered is skipped; with `cancel_previous`, it goes, and its
 * predecessors are superseded (their remaining retries dropped), and a later attempt of an event
 * superseded meanwhile (a retry a worker already held, or one planned by an attempt that was in
 * flight) is not sent. Redeliveries pass. Costs nothing for `allow` schedules, and one Redis
 * round trip for the others.
 */
export async function overlapAtSend(
  guard: OverlapGuard,
  engine: Parameters<typeof supersede>[0],
  h: HeldSend,
  now: () => Date,
): Promise<OverlapDecision> {
  const policy = h.snapshot.overlap_policy;
  if (policy === 'allow' || h.send.round !== 0) return GO;
  if (h.attempt !== 1) {
    return policy === 'cancel_previous' && (await supersededMeanwhile(guard, engine, h))
      ? { go: false, status: 'superseded' }
      : GO;
  }
  const older = await guard.enter(h);
  if (older.length === 0) return GO;
  if (policy === 'cancel_previous') {
    await supersede(engine, older, h, now());
    await Promise.all(older.map((eventId) => guard.leave(h.send.scheduleId, eventId)));
    return GO;
  }
  await guard.done(h);
  return {
    go: false,
    status: 'skipped',
    message: `skipped: a previous occurrence (${older.join(', ')}) is still being delivered`,
  };
}

/**
 * Whether a later attempt's event was superseded while it waited: it left the busy set (which
 * happens only after its `cancelled` outcome is archived) and the archive has it. A set lost with
 * Redis leaves the archive without it, and the attempt goes. The attempts recorded on the live
 * event after the archive was written (one that was in flight then) are attached to it.
 */
async function supersededMeanwhile(
  guard: OverlapGuard,
  engine: Parameters<typeof supersede>[0],
  h: HeldSend,
): Promise<boolean> {
  if (await guard.isBusy(h)) return false;
  const id = new Types.ObjectId(h.send.eventId);
  const archived = await findArchivedEvent(engine.models, h.event.tenant_id, id);
  if (!archived) return false;
  const kept = new Set(archived.attempts.map((a) => a.number));
  for (const attempt of [...h.event.attempts, ...h.lost]) {
    if (!kept.has(attempt.number)) await attachAttempt(engine.models, id, attempt);
  }
  return true;
}
