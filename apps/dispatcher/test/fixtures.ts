/**
 * The dispatcher's process tests: this file's own database and key prefix on the real FerretDB
 * and Redis, an engine to plan with and inspect the plan, the shard's worker queue (no worker
 * consumes it here, so every batch handed over stays to be read), and dispatchers spawned from
 * the build.
 */
import {
  createEngine,
  decodeOccurrence,
  type Engine,
  type Occurrence,
  planSchedules,
  WORKER_QUEUE,
} from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import {
  connectMongo,
  ensureIndexes,
  type Models,
  planIdOf,
  registerModels,
  type Schedule,
  type ScheduleRecord,
} from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { compileSavedRule } from '@event-scheduler/scheduling';
import { poolLimited, type ReadyService, startReadyService, testServices } from '@event-scheduler/testing';
import { Queue } from 'bullmq';

export { everySeconds, until } from '@event-scheduler/testing';

export interface Harness {
  services: ReturnType<typeof testServices>;
  models: Models;
  redis: ReturnType<typeof createRedis>;
  engine: Engine;
  /** Shard 0's worker queue, where dispatchers hand batches. */
  queue: Queue;
  close(): Promise<void>;
}

export async function openHarness(label: string, { leadMs }: { leadMs: number }): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: poolLimited(services.mongoUrl), database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(services.redisUrl);
  const redis = createRedis({ connection: { host: url.hostname, port: Number(url.port || 6379) }, role: 'producer' });
  await waitForRedis(redis, 5000);
  const log = createLogger({ service: 'dispatcher-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const engine = createEngine({ models, redis, prefix: services.queuePrefix, log, windowMs: 60_000, leadMs });
  const queue = new Queue(WORKER_QUEUE, { connection: redis, prefix: engine.keys.queuePrefix(0) });
  return {
    services,
    models,
    redis,
    engine,
    queue,
    async close() {
      await queue.close();
      await engine.outcomes.flush();
      const keys = [
        ...(await redis.keys(`{${services.queuePrefix}:*`)),
        ...(await redis.keys(`${services.queuePrefix}:*`)),
      ];
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** Inserts an active schedule as the API stores it. */
export async function insertSchedule(
  h: Pick<Harness, 'models'>,
  spec: { rule: string; misfire?: Schedule['misfire_policy']; graceSeconds?: number; notBefore?: Date },
): Promise<ScheduleRecord> {
  const now = new Date();
  const compiled = compileSavedRule({ text: spec.rule, timezone: 'UTC', now });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const doc = await h.models.schedules.create({
    tenant_id: 'tenant-a',
    name: 'dispatcher test',
    rrule: compiled.rule.text,
    timezone: 'UTC',
    callback_url: 'http://127.0.0.1:9/callback',
    retry_policy: { max_attempts: 3, min_backoff_ms: 200, max_backoff_ms: 1000 },
    misfire_policy: spec.misfire ?? 'fire_once',
    misfire_grace_seconds: spec.graceSeconds ?? 60,
    not_before: spec.notBefore ?? new Date(now.getTime() - 1),
  });
  return doc.toObject() as ScheduleRecord;
}

/** What the API does right after a create: the window planned at once (events, sends, snapshot). */
export async function planNow(h: Pick<Harness, 'engine'>, schedule: ScheduleRecord, now = new Date()): Promise<number> {
  const plan = { _id: planIdOf(schedule._id, schedule.version), cursor: null, next_run_at: null };
  const [outcome] = await planSchedules(h.engine, [{ schedule, plan }], now, { first: true });
  return outcome?.planned ?? 0;
}

export interface HandedBatch {
  id: string;
  sends: Occurrence[];
  takenAt: number;
}

/** Every batch handed to workers so far (waiting: no worker runs in these tests). */
export async function batches(h: Pick<Harness, 'queue'>): Promise<HandedBatch[]> {
  const jobs = await h.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'], 0, -1);
  return jobs.map((job) => ({
    id: String(job.id),
    sends: (job.data.sends as string[]).map((m) => decodeOccurrence(m) as Occurrence),
    takenAt: job.data.taken_at as number,
  }));
}

/** The sends of one schedule handed to workers, over all batches. */
export async function handedOf(
  h: Pick<Harness, 'queue'>,
  schedule: Pick<ScheduleRecord, '_id'>,
): Promise<Occurrence[]> {
  const id = schedule._id.toHexString();
  return (await batches(h)).flatMap((b) => b.sends).filter((s) => s.scheduleId === id);
}

/** A dispatcher from the build, on the harness's database and prefix, once its /readyz answers. */
export function startDispatcher(h: Pick<Harness, 'services'>, env: Record<string, string>): Promise<ReadyService> {
  return startReadyService('dispatcher', {
    ...h.services.env,
    MONGO_URL: poolLimited(h.services.mongoUrl),
    LOG_LEVEL: 'info',
    ...env,
  });
}
