/**
 * The prequeuer's process tests: this file's own database and key prefix on the real FerretDB
 * and Redis, an engine to read the plan in Redis, and prequeuers spawned from the build.
 */
import { createEngine, type Engine, type Occurrence } from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import { connectMongo, ensureIndexes, type Models, registerModels, type ScheduleRecord } from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { compileSavedRule } from '@event-scheduler/scheduling';
import { poolLimited, type ReadyService, startReadyService, testServices } from '@event-scheduler/testing';

export { everySeconds, until } from '@event-scheduler/testing';

export interface Harness {
  services: ReturnType<typeof testServices>;
  models: Models;
  redis: ReturnType<typeof createRedis>;
  engine: Engine;
  /** Deletes every key of the file's prefix: what FLUSHALL does to this deployment. */
  wipeRedis(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(label: string): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: poolLimited(services.mongoUrl), database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(services.redisUrl);
  const redis = createRedis({ connection: { host: url.hostname, port: Number(url.port || 6379) }, role: 'producer' });
  await waitForRedis(redis, 5000);
  const log = createLogger({ service: 'prequeuer-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const engine = createEngine({ models, redis, prefix: services.queuePrefix, log, windowMs: 60_000, leadMs: 1000 });
  const wipeRedis = async () => {
    const keys = [
      ...(await redis.keys(`{${services.queuePrefix}:*`)),
      ...(await redis.keys(`${services.queuePrefix}:*`)),
    ];
    if (keys.length > 0) await redis.del(...keys);
  };
  return {
    services,
    models,
    redis,
    engine,
    wipeRedis,
    async close() {
      await wipeRedis();
      await redis.quit();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** Inserts an active schedule as the API stores it; its plan is the prequeuer's to start. */
export async function insertSchedule(h: Pick<Harness, 'models'>, rule: string): Promise<ScheduleRecord> {
  const now = new Date();
  const compiled = compileSavedRule({ text: rule, timezone: 'UTC', now });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const doc = await h.models.schedules.create({
    tenant_id: 'tenant-a',
    name: 'prequeuer test',
    rrule: compiled.rule.text,
    timezone: 'UTC',
    callback_url: 'http://127.0.0.1:9/callback',
    retry_policy: { max_attempts: 3, min_backoff_ms: 200, max_backoff_ms: 1000 },
    not_before: new Date(now.getTime() - 1),
  });
  return doc.toObject() as ScheduleRecord;
}

/** Every send on the timeline (shard 0). */
export const allSends = (h: Pick<Harness, 'engine'>): Promise<Occurrence[]> =>
  h.engine.timeline.planned(0, Number.MAX_SAFE_INTEGER, 100_000);

/** A prequeuer from the build, on the harness's database and prefix, with a 1-minute window and 1 s loops. */
export function startPrequeuer(h: Pick<Harness, 'services'>, env: Record<string, string> = {}): Promise<ReadyService> {
  return startReadyService('prequeuer', {
    ...h.services.env,
    MONGO_URL: poolLimited(h.services.mongoUrl),
    PREQUEUER_TICKER_INTERVAL_SECONDS: '1',
    PREQUEUER_EVENT_TIMEFRAME_MINUTES: '1',
    PREQUEUER_RECONCILE_INTERVAL_SECONDS: '1',
    PREQUEUER_EPOCH_CHECK_INTERVAL_SECONDS: '1',
    PREQUEUER_PURGE_INTERVAL_SECONDS: '1',
    PREQUEUER_LIVE_RETENTION_MINUTES: '1',
    DISPATCHER_LEAD_MS: '1000',
    LOG_LEVEL: 'info',
    ...env,
  });
}
