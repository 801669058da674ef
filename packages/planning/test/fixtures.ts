import { createLogger } from '@event-scheduler/logging';
import { connectMongo, ensureIndexes, type Models, registerModels } from '@event-scheduler/models';
import { createQueues, createRedis, QUEUE_NAMES, type QueueSet, waitForRedis } from '@event-scheduler/queues';
import { compileRule } from '@event-scheduler/scheduling';
import { type TestServices, testServices } from '@event-scheduler/testing';
import type { Connection } from 'mongoose';
import type { ScheduleWithId } from '../src/index.js';

export interface Harness {
  services: TestServices;
  connection: Connection;
  models: Models;
  redis: ReturnType<typeof createRedis>;
  queues: QueueSet;
  log: ReturnType<typeof createLogger>;
  close(): Promise<void>;
}

/**
 * The database URL with the driver's connection pool capped: FerretDB v1 holds two PostgreSQL
 * connections per update or delete command and has 50, so many concurrent commands from several
 * processes can deadlock it. Tests cap each process at `size` commands in flight.
 */
export function poolLimited(url: string, size = 3): string {
  const u = new URL(url);
  u.searchParams.set('maxPoolSize', String(size));
  return u.toString();
}

/** Environment for a spawned service: the harness's database and queue prefix, pool capped. */
export function serviceEnv(h: Pick<Harness, 'services'>): Record<string, string> {
  return { ...h.services.env, MONGO_URL: poolLimited(h.services.mongoUrl) };
}

/** A private database and queue prefix, models with their indexes, and queues on a producer connection. */
export async function openHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: poolLimited(services.mongoUrl), database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  // Every collection exists before services run: FerretDB v1 deadlocks when many connections create
  // one implicitly at once (its registry holds a write lock while waiting for a pool connection).
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(env.REDIS_URL ?? services.redisUrl);
  const redis = createRedis({ connection: { host: url.hostname, port: Number(url.port || 6379) }, role: 'producer' });
  await waitForRedis(redis, 5000);
  const queues = createQueues({ connection: redis, prefix: services.queuePrefix });
  const log = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return {
    services,
    connection,
    models,
    redis,
    queues,
    log,
    async close() {
      await queues.close();
      const keys = await redis.keys(`${services.queuePrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
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
  misfire?: ScheduleWithId['misfire_policy'];
  graceSeconds?: number;
  notBefore?: Date;
  now?: Date;
  nextRunAt?: Date | null;
}

/** Inserts an active schedule the way the API would: canonical rule text, next_run_at at its first occurrence. */
export async function insertSchedule(models: Models, spec: ScheduleSpec): Promise<ScheduleWithId> {
  const now = spec.now ?? new Date();
  const compiled = compileRule({ text: spec.rule, timezone: 'UTC', now }, { minIntervalSeconds: 1 });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const notBefore = spec.notBefore ?? new Date(now.getTime() - 1);
  const doc = await models.schedules.create({
    tenant_id: spec.tenant ?? 'tenant-a',
    name: 'test schedule',
    rrule: compiled.rule.text,
    timezone: 'UTC',
    callback_url: spec.callbackUrl ?? 'http://127.0.0.1:9/callback',
    retry_policy: { max_attempts: 3, min_backoff_ms: 200, max_backoff_ms: 1000 },
    misfire_policy: spec.misfire ?? 'fire_once',
    misfire_grace_seconds: spec.graceSeconds ?? 60,
    not_before: notBefore,
    next_run_at: spec.nextRunAt === undefined ? compiled.rule.next(notBefore) : spec.nextRunAt,
  });
  return doc.toObject() as ScheduleWithId;
}

export async function reload(models: Models, schedule: ScheduleWithId): Promise<ScheduleWithId> {
  const found = await models.schedules.findById(schedule._id).lean<ScheduleWithId>();
  if (!found) throw new Error('schedule vanished');
  return found;
}

/** Ids of the jobs in a queue, by state. */
export async function jobIds(
  queues: QueueSet,
  name: 'ready' | 'worker',
  states: ('delayed' | 'waiting' | 'active')[] = ['delayed', 'waiting'],
) {
  const jobs = await queues.queue(QUEUE_NAMES[name]).getJobs(states, 0, -1);
  return jobs.map((j) => j.id as string).sort();
}

/** An every-`seconds` UTC rule starting at `start` (whole seconds). */
export function everySeconds(seconds: number, start: Date): string {
  const stamp = start
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `DTSTART:${stamp}\nRRULE:FREQ=SECONDLY;INTERVAL=${seconds}`;
}
