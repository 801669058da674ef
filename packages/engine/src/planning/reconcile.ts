import {
  type EventRecord,
  findActiveSchedulesChangedSince,
  findArchivedIds,
  findLiveEvents,
  findPlansOf,
  planIdOf,
  recordLostAttempts,
  startPlan,
  streamWaitingEvents,
} from '@event-scheduler/models';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { Engine } from '../context.js';
import { lostAttempts, lostSteps } from '../delivery.js';
import { sendOf } from '../events.js';
import type { EngineKeys } from '../keys.js';
import type { Occurrence } from '../occurrence.js';

export interface ReconcileOptions {
  /** Wait between finding a lost send and re-adding it, to let moves in flight land; default 2000. */
  confirmDelayMs?: number;
  /** Events checked per round trip; default 1000. */
  batchSize?: number;
  /**
   * Redis lost its data: skip the confirmation wait (nothing is in flight), and treat the sends
   * due in `inFlight` (epoch ms, both ends included) as possibly sent by a worker that held them
   * when the data went: they are re-added as the next attempt.
   */
  immediate?: boolean;
  inFlight?: { from: number; to: number };
}

export interface ReconcileOutcome {
  /** Live events waiting for a send that were looked for. */
  checked: number;
  /** Sends re-added to the timeline. */
  readded: number;
}

/**
 * The state of the batch jobs holding sends, one round trip for all: still to run (waiting,
 * delayed or active), and how many of their runs fired (the progress the worker raises before
 * firing). A job that is gone never ran (a dispatcher died before adding it): finished jobs are
 * kept, completed ones for ten minutes and failed ones by count (`DELIVER_JOB_OPTIONS`).
 */
async function holders(redis: Redis, keys: EngineKeys, queueName: string, jobs: { shard: number; id: string }[]) {
  if (jobs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { shard, id } of jobs)
    pipeline.hmget(`${keys.queuePrefix(shard)}:${queueName}:${id}`, 'timestamp', 'finishedOn', 'progress');
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error) throw error;
    const [timestamp, finishedOn, progress] = value as [string | null, string | null, string | null];
    const fired = Number(progress);
    return {
      alive: timestamp !== null && finishedOn === null,
      fired: Number.isSafeInteger(fired) && fired > 0 ? fired : 0,
    };
  });
}

/** A send Redis lost, and how many attempts of it may have gone out unrecorded. */
interface LostSend {
  send: Occurrence;
  maybeSent: number;
  /** Attempts its event records: the condition for recording the lost ones. */
  recorded: number;
}

/**
 * The sends of these events that are nowhere in Redis: not planned, not taken, not held by a live
 * job. Attempts may have gone out unrecorded for those held by a dead job (one per run that
 * fired) and, when Redis lost its data, for those due around the loss (`inFlight`).
 */
async function lost(
  engine: Pick<Engine, 'timeline' | 'redis' | 'keys'>,
  queueName: string,
  events: EventRecord[],
  inFlight?: { from: number; to: number },
): Promise<LostSend[]> {
  const sends = events.map(sendOf);
  const where = await engine.timeline.locate(sends);
  const heldBy = where.flatMap((w, i) =>
    w.at === 'held' ? [{ i, shard: engine.keys.shardOf(sends[i]!.scheduleId), id: w.job }] : [],
  );
  const states = await holders(engine.redis, engine.keys, queueName, heldBy);
  const firedBy = new Map(heldBy.flatMap((h, j) => (states[j]?.alive ? [] : [[h.i, states[j]?.fired ?? 0] as const])));
  return sends.flatMap((send, i) => {
    const recorded = events[i]?.attempts.length ?? 0;
    const fired = firedBy.get(i);
    if (fired !== undefined) return [{ send, maybeSent: fired, recorded }];
    if (where[i]?.at !== 'nowhere') return [];
    const due = inFlight !== undefined && send.dueAt >= inFlight.from && send.dueAt <= inFlight.to;
    return [{ send, maybeSent: due ? 1 : 0, recorded }];
  });
}

/**
 * Puts lost sends back: each as the attempt after those that may have gone out, recorded first
 * on its event as lost (so x-attempt never repeats a number the receiver may have seen, and the
 * history counts it), replacing a dead holder's claim. An event changed meanwhile is left for the
 * next pass. Returns how many were put back.
 */
async function putBack(engine: Pick<Engine, 'models' | 'timeline'>, sends: LostSend[], now: Date): Promise<number> {
  const items = await Promise.all(
    sends.map(async ({ send, maybeSent, recorded }) => {
      if (maybeSent === 0) return { send, next: send };
      const attempts = lostAttempts(send.attempt, maybeSent, now, LOST_MESSAGE);
      const ok = await recordLostAttempts(engine.models, toObjectId(send.eventId), {
        recorded,
        attempts,
        history: lostSteps(attempts, now),
        nextAt: new Date(send.dueAt),
        now,
      });
      return ok ? { send, next: { ...send, attempt: send.attempt + maybeSent } } : null;
    }),
  );
  const back = items.filter((i) => i !== null);
  await engine.timeline.finish(back);
  return back.length;
}

const LOST_MESSAGE =
  'its worker’s state was lost before the outcome was recorded (Redis lost its data, or its batch failed); the occurrence is sent again';

/**
 * Re-adds the sends Redis lost. Redis holds the plan and may lose it (a restart without
 * persistence, a failover, FLUSHALL); MongoDB holds the truth: every live event waiting for a
 * send (`scheduled`, `retry_scheduled`) without an archived outcome must have its send on the
 * timeline, taken by a dispatcher, or held by a batch job that still runs. Missing ones are
 * confirmed after a pause (event unchanged, send still missing) and re-added; sends are derived
 * from the event alone, so a race with the normal path adds nothing twice. Sends that became late
 * reach the dispatcher at once, which applies the misfire policy.
 */
export async function reconcile(
  engine: Pick<Engine, 'models' | 'timeline' | 'redis' | 'keys' | 'log'>,
  queueName: string,
  { confirmDelayMs = 2000, batchSize = 1000, immediate = false, inFlight }: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { checked: 0, readded: 0 };
  const suspects: LostSend[] = [];
  let batch: EventRecord[] = [];
  const check = async () => {
    const finished = await findArchivedIds(
      engine.models,
      batch.map((e) => e._id),
    );
    const waiting = batch.filter((e) => !finished.has(e._id.toHexString()));
    outcome.checked += waiting.length;
    suspects.push(...(await lost(engine, queueName, waiting, inFlight)));
    batch = [];
  };
  for await (const event of streamWaitingEvents(engine.models, batchSize)) {
    batch.push(event);
    if (batch.length >= batchSize) await check();
  }
  await check();
  if (suspects.length === 0) return outcome;
  let confirmed = suspects;
  if (!immediate) {
    await new Promise((resolve) => setTimeout(resolve, confirmDelayMs));
    const recorded = new Map(suspects.map((s) => [s.send.eventId, s.recorded]));
    const current = await findLiveEvents(engine.models, [...recorded.keys()].map(toObjectId));
    const finished = await findArchivedIds(
      engine.models,
      current.map((e) => e._id),
    );
    confirmed = await lost(
      engine,
      queueName,
      current.filter(
        (e) => !finished.has(e._id.toHexString()) && recorded.get(e._id.toHexString()) === e.attempts.length,
      ),
    );
  }
  outcome.readded = await putBack(engine, confirmed, new Date());
  if (outcome.readded > 0) engine.log.warn({ readded: outcome.readded }, 'reconciliation re-added lost sends');
  return outcome;
}

const toObjectId = (hex: string) => new Types.ObjectId(hex);

/**
 * Makes sure every active schedule changed at or after `since` has the plan of its current
 * version: the API starts that plan right after it stores the version, and a crash in between
 * would otherwise leave the schedule unplanned. Returns how many plans it started.
 */
export async function ensurePlans(
  engine: Pick<Engine, 'models' | 'rules'>,
  since: Date,
  now: Date,
  limit = 10_000,
): Promise<number> {
  const changed = await findActiveSchedulesChangedSince(engine.models, since, limit);
  if (changed.length === 0) return 0;
  const plans = new Set(
    (
      await findPlansOf(
        engine.models,
        changed.map((s) => s._id),
      )
    ).map((p) => p._id),
  );
  let started = 0;
  for (const schedule of changed) {
    if (plans.has(planIdOf(schedule._id, schedule.version))) continue;
    const rule = engine.rules.compile(schedule);
    const after = new Date(Math.max(now.getTime(), schedule.not_before.getTime()));
    const next = 'error' in rule ? null : safeNext(rule, after);
    await startPlan(engine.models, schedule, next);
    started += 1;
  }
  return started;
}

function safeNext(rule: { next(after: Date): Date | null }, after: Date): Date | null {
  try {
    return rule.next(after);
  } catch {
    return null;
  }
}
