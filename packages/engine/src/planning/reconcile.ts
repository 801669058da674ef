import {
  type EventRecord,
  findActiveSchedulesChangedSince,
  findArchivedIds,
  findLiveEvents,
  findPlansOf,
  planIdOf,
  startPlan,
  streamWaitingEvents,
} from '@event-scheduler/models';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { Engine } from '../context.js';
import { sendOf } from '../events.js';
import type { EngineKeys } from '../keys.js';
import type { Occurrence } from '../occurrence.js';

export interface ReconcileOptions {
  /** Wait between finding a lost send and re-adding it, to let moves in flight land; default 2000. */
  confirmDelayMs?: number;
  /** Events checked per round trip; default 1000. */
  batchSize?: number;
  /** Skip the confirmation wait (Redis lost its data: nothing is in flight). */
  immediate?: boolean;
}

export interface ReconcileOutcome {
  /** Live events waiting for a send that were looked for. */
  checked: number;
  /** Sends re-added to the timeline. */
  readded: number;
}

/** Is the batch job holding a send still to run (waiting, delayed or active)? One round trip for all. */
async function liveJobs(redis: Redis, keys: EngineKeys, queueName: string, jobs: { shard: number; id: string }[]) {
  if (jobs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { shard, id } of jobs)
    pipeline.hmget(`${keys.queuePrefix(shard)}:${queueName}:${id}`, 'timestamp', 'finishedOn');
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error) throw error;
    const [timestamp, finishedOn] = value as [string | null, string | null];
    return timestamp !== null && finishedOn === null;
  });
}

/** The sends of these events that are nowhere in Redis: not planned, not taken, not held by a live job. */
async function lost(engine: Pick<Engine, 'timeline' | 'redis' | 'keys'>, queueName: string, events: EventRecord[]) {
  const sends = events.map(sendOf);
  const where = await engine.timeline.locate(sends);
  const heldBy = where.flatMap((w, i) =>
    w.at === 'held' ? [{ i, shard: engine.keys.shardOf(sends[i]!.scheduleId), id: w.job }] : [],
  );
  const alive = await liveJobs(engine.redis, engine.keys, queueName, heldBy);
  const deadHolders = new Set(heldBy.filter((_, j) => !alive[j]).map((h) => h.i));
  return sends.filter((_, i) => where[i]?.at === 'nowhere' || deadHolders.has(i));
}

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
  { confirmDelayMs = 2000, batchSize = 1000, immediate = false }: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { checked: 0, readded: 0 };
  const suspects: Occurrence[] = [];
  let batch: EventRecord[] = [];
  const check = async () => {
    const finished = await findArchivedIds(
      engine.models,
      batch.map((e) => e._id),
    );
    const waiting = batch.filter((e) => !finished.has(e._id.toHexString()));
    outcome.checked += waiting.length;
    suspects.push(...(await lost(engine, queueName, waiting)));
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
    const ids = new Set(suspects.map((s) => s.eventId));
    const current = (
      await findLiveEvents(engine.models, [...new Set(suspects.map((s) => s.eventId))].map(toObjectId))
    ).filter((e) => ids.has(e._id.toHexString()));
    const finished = await findArchivedIds(
      engine.models,
      current.map((e) => e._id),
    );
    const still = current.filter((e) => !finished.has(e._id.toHexString()));
    const unchanged = new Set(suspects.map((s) => `${s.eventId}|${s.attempt}`));
    confirmed = await lost(
      engine,
      queueName,
      still.filter((e) => unchanged.has(`${e._id.toHexString()}|${e.attempts.length + 1}`)),
    );
  }
  await engine.timeline.add(confirmed);
  outcome.readded = confirmed.length;
  if (confirmed.length > 0) engine.log.warn({ readded: confirmed.length }, 'reconciliation re-added lost sends');
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
