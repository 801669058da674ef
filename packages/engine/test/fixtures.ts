/**
 * The engine's integration harness: this file's own database and key prefix on the real
 * FerretDB and Redis, an engine over them, and schedules written the way the API writes them.
 */
import { createLogger } from '@event-scheduler/logging';
import {
  connectMongo,
  ensureIndexes,
  findPlan,
  type Models,
  planIdOf,
  registerModels,
  type Schedule,
  type SchedulePlanRecord,
  type ScheduleRecord,
  updateScheduleIfVersion,
} from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { compileSavedRule } from '@event-scheduler/scheduling';
import { poolLimited, type TestServices, testServices } from '@event-scheduler/testing';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import {
  applyChange,
  createEngine,
  type Engine,
  type Occurrence,
  type PlanOutcome,
  planSchedules,
  startPlanOf,
} from '../src/index.js';

export { everySeconds } from '@event-scheduler/testing';

export interface Harness {
  services: TestServices;
  connection: Connection;
  models: Models;
  redis: Redis;
  engine: Engine;
  log: ReturnType<typeof createLogger>;
  close(): Promise<void>;
}

export const TENANT = 'tenant-a';

/** Every key of a test prefix: the engine's hash-tagged ones (`{p:0}:...`) and BullMQ's under them. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = [...(await redis.keys(`{${prefix}:*`)), ...(await redis.keys(`${prefix}:*`))];
  if (keys.length > 0) await redis.del(...keys);
}

/** A private database and key prefix, models with their indexes and collections, an engine. */
export async function openHarness(
  label: string,
  { windowMs = 60_000, leadMs = 2000 }: { windowMs?: number; leadMs?: number } = {},
): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: poolLimited(services.mongoUrl), database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  // Every collection exists before anything writes: FerretDB v1 deadlocks when many connections
  // create one implicitly at once.
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(services.redisUrl);
  const redis = createRedis({ connection: { host: url.hostname, port: Number(url.port || 6379) }, role: 'producer' });
  await waitForRedis(redis, 5000);
  const log = createLogger({ service: 'engine-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const engine = createEngine({ models, redis, prefix: services.queuePrefix, log, windowMs, leadMs });
  return {
    services,
    connection,
    models,
    redis,
    engine,
    log,
    async close() {
      await engine.outcomes.flush();
      await deleteKeys(redis, services.queuePrefix);
      await redis.quit();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export interface ScheduleSpec {
  rule: string;
  tenant?: string;
  callbackUrl?: string;
  misfire?: Schedule['misfire_policy'];
  graceSeconds?: number;
  notBefore?: Date;
  now?: Date;
  /** Start the plan of version 1, as the prequeuer does for a new schedule; default true. */
  plan?: boolean;
}

/** Inserts an active schedule the way the API does (canonical rule text, not_before) and starts its plan. */
export async function insertSchedule(
  h: Pick<Harness, 'models' | 'engine'>,
  spec: ScheduleSpec,
): Promise<ScheduleRecord> {
  const now = spec.now ?? new Date();
  const compiled = compileSavedRule({ text: spec.rule, timezone: 'UTC', now });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const doc = await h.models.schedules.create({
    tenant_id: spec.tenant ?? TENANT,
    name: 'test schedule',
    rrule: compiled.rule.text,
    timezone: 'UTC',
    callback_url: spec.callbackUrl ?? 'http://127.0.0.1:9/callback',
    retry_policy: { max_attempts: 3, min_backoff_ms: 200, max_backoff_ms: 1000 },
    misfire_policy: spec.misfire ?? 'fire_once',
    misfire_grace_seconds: spec.graceSeconds ?? 60,
    not_before: spec.notBefore ?? new Date(now.getTime() - 1),
  });
  const schedule = doc.toObject() as ScheduleRecord;
  if (spec.plan ?? true) await startPlanOf(h.engine, schedule, now);
  return schedule;
}

export async function reload(models: Models, schedule: Pick<ScheduleRecord, '_id'>): Promise<ScheduleRecord> {
  const found = await models.schedules.findById(schedule._id).lean<ScheduleRecord>();
  if (!found) throw new Error('schedule vanished');
  return found;
}

/** The stored plan of the schedule's version, or the plan a planner starts from when there is none. */
export async function planOf(h: Pick<Harness, 'models'>, schedule: ScheduleRecord): Promise<SchedulePlanRecord> {
  const stored = await findPlan(h.models, schedule._id, schedule.version);
  if (stored) return stored;
  const now = new Date();
  return {
    _id: planIdOf(schedule._id, schedule.version),
    tenant_id: schedule.tenant_id,
    schedule_id: schedule._id,
    version: schedule.version,
    cursor: null,
    next_run_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** Plans one schedule up to `now` + the window, from `plan` (default: its stored plan, read now). */
export async function planOne(
  h: Pick<Harness, 'models' | 'engine'>,
  schedule: ScheduleRecord,
  now: Date,
  plan?: SchedulePlanRecord,
): Promise<PlanOutcome> {
  const [outcome] = await planSchedules(h.engine, [{ schedule, plan: plan ?? (await planOf(h, schedule)) }], now);
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

/** A schedule's sends on the timeline (shard 0), soonest first. */
export async function sendsOf(
  h: Pick<Harness, 'engine'>,
  schedule: Pick<ScheduleRecord, '_id'>,
): Promise<Occurrence[]> {
  const all = await h.engine.timeline.planned(0, Number.MAX_SAFE_INTEGER);
  return all.filter((s) => s.scheduleId === schedule._id.toHexString());
}

/**
 * What the API does on update, pause, resume and delete: stores the change under a new version
 * (conditional on the version it read), then hands it to the engine before answering.
 */
export async function changeSchedule(
  h: Pick<Harness, 'models' | 'engine'>,
  schedule: ScheduleRecord,
  set: Partial<Schedule>,
  reason: string,
  now = new Date(),
): Promise<ScheduleRecord> {
  const updated = await updateScheduleIfVersion(h.models, schedule.tenant_id, schedule._id, schedule.version, {
    $set: { ...set, version: schedule.version + 1, not_before: now, updated_at: now },
  });
  if (!updated) throw new Error('the schedule changed meanwhile');
  await applyChange(h.engine, updated, reason, now);
  return updated;
}
