/**
 * The end-to-end harness: this file's own database and key prefix (on the shared FerretDB and
 * Redis, or on a Redis of the test's own), an engine to act as the API does (create, change), and
 * schedules written as the API writes them. The services themselves run from their builds
 * (services.ts).
 */
import { applyChange, createEngine, type Engine, planNow } from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import {
  connectMongo,
  ensureIndexes,
  type Models,
  registerModels,
  type Schedule,
  type ScheduleRecord,
  updateScheduleIfVersion,
} from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { compileSavedRule } from '@event-scheduler/scheduling';
import { poolLimited, type TestServices, testServices } from '@event-scheduler/testing';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';

export { everySeconds } from '@event-scheduler/testing';

/** The services' lead in these tests (DISPATCHER_LEAD_MS), and the planning window (1 minute). */
export const LEAD_MS = 1000;
export const WINDOW_MS = 60_000;

export interface Harness {
  services: TestServices;
  connection: Connection;
  models: Models;
  redis: Redis;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * A private database and key prefix; `redisUrl` points everything at a Redis of the test's own;
 * `windowMs` is the planning window the services run with (PREQUEUER_EVENT_TIMEFRAME_MINUTES).
 */
export async function openHarness(
  label: string,
  { redisUrl, windowMs = WINDOW_MS }: { redisUrl?: string; windowMs?: number } = {},
): Promise<Harness> {
  const shared = testServices(label);
  const services = redisUrl ? { ...shared, redisUrl, env: { ...shared.env, REDIS_URL: redisUrl } } : shared;
  const connection = await connectMongo({ uri: poolLimited(services.mongoUrl), database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  // Every collection exists before the services write: FerretDB v1 deadlocks when many
  // connections create one implicitly at once.
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(services.redisUrl);
  const redis = createRedis({ connection: { host: url.hostname, port: Number(url.port || 6379) }, role: 'producer' });
  await waitForRedis(redis, 5000);
  const log = createLogger({ service: 'e2e-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const engine = createEngine({ models, redis, prefix: services.queuePrefix, log, windowMs, leadMs: LEAD_MS });
  return {
    services,
    connection,
    models,
    redis,
    engine,
    async close() {
      await engine.outcomes.flush();
      if (redis.status === 'ready') {
        const keys = [
          ...(await redis.keys(`{${services.queuePrefix}:*`)),
          ...(await redis.keys(`${services.queuePrefix}:*`)),
        ];
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      } else redis.disconnect();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export interface ScheduleSpec {
  rule: string;
  callbackUrl: string;
  misfire?: Schedule['misfire_policy'];
  graceSeconds?: number;
  retry?: Partial<Schedule['retry_policy']>;
  now?: Date;
}

/**
 * Inserts an active schedule as the API stores it, and nothing more: the prequeuers start its plan
 * and their ticks plan it (what happens to a schedule whose create could not plan at once).
 */
export async function insertSchedule(h: Pick<Harness, 'models'>, spec: ScheduleSpec): Promise<ScheduleRecord> {
  const now = spec.now ?? new Date();
  const compiled = compileSavedRule({ text: spec.rule, timezone: 'UTC', now });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const doc = await h.models.schedules.create({
    tenant_id: 'tenant-e2e',
    name: 'e2e schedule',
    rrule: compiled.rule.text,
    timezone: 'UTC',
    callback_url: spec.callbackUrl,
    retry_policy: { max_attempts: 3, min_backoff_ms: 200, max_backoff_ms: 1000, ...spec.retry },
    misfire_policy: spec.misfire ?? 'fire_once',
    misfire_grace_seconds: spec.graceSeconds ?? 60,
    not_before: new Date(now.getTime() - 1),
  });
  return doc.toObject() as ScheduleRecord;
}

/** What the API's create does: the schedule stored, then its window planned at once. */
export async function createSchedule(
  h: Pick<Harness, 'models' | 'engine'>,
  spec: ScheduleSpec,
): Promise<ScheduleRecord> {
  const schedule = await insertSchedule(h, spec);
  await planNow(h.engine, schedule, spec.now ?? new Date(), { first: true });
  return schedule;
}

export type Change = { pause: true } | { resume: true } | { callbackUrl: string } | { delete: true };

/**
 * What the API does on pause, resume, PATCH and delete (apps/api schedule.service): the change
 * stored under a new version, conditional on the version it read, then handed to the engine
 * (`applyChange`: announced, what no longer applies cancelled, the new version planned), all
 * before it answers. Resume and PATCH restart planning from now (`not_before`).
 */
export async function changeSchedule(
  h: Pick<Harness, 'models' | 'engine'>,
  schedule: Pick<ScheduleRecord, '_id' | 'tenant_id'>,
  change: Change,
): Promise<ScheduleRecord> {
  const now = new Date();
  const current = await h.models.schedules.findById(schedule._id).lean<ScheduleRecord>();
  if (!current) throw new Error('schedule vanished');
  const restart = { version: current.version + 1, not_before: now };
  const [set, reason]: [Partial<Schedule>, string] =
    'pause' in change
      ? [{ status: 'paused', paused_reason: 'test', paused_at: now, version: current.version + 1 }, 'schedule paused']
      : 'resume' in change
        ? [{ status: 'active', paused_reason: null, paused_at: null, ...restart }, 'schedule resumed']
        : 'callbackUrl' in change
          ? [{ callback_url: change.callbackUrl, ...restart }, 'schedule updated']
          : [{ deleted_at: now, version: current.version + 1 }, 'schedule deleted'];
  const updated = await updateScheduleIfVersion(h.models, current.tenant_id, current._id, current.version, {
    $set: set,
  });
  if (!updated) throw new Error('the schedule changed while it was being changed');
  await applyChange(h.engine, updated, reason, now);
  return updated;
}
