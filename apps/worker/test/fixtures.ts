/**
 * Shared set-up for the worker's integration tests: a real database and Redis (this file's own
 * database and queue prefix), schedules and events written directly as the planner would, and an
 * in-process delivery worker driven through BullMQ exactly as the service runs it.
 */
import { parseAllowList } from '@event-scheduler/callback';
import { createLogger } from '@event-scheduler/logging';
import {
  type ArchivedEventDoc,
  connectMongo,
  type EventDoc,
  type EventRecord,
  ensureIndexes,
  type Models,
  registerModels,
  type Schedule,
} from '@event-scheduler/models';
import { cancelPlannedEvents, type ScheduleWithId } from '@event-scheduler/planning';
import {
  createQueues,
  createRedis,
  enqueue,
  type JobPayload,
  occurrenceJobId,
  type QueueSet,
  waitForRedis,
} from '@event-scheduler/queues';
import { compileRule } from '@event-scheduler/scheduling';
import { type Receiver, startReceiver, testServices } from '@event-scheduler/testing';
import { afterEach } from '@jest/globals';
import type { Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { deliverySettings, loadWorkerConfig } from '../src/config.js';
import { createDeliveryService, type DeliverySettings } from '../src/delivery/delivery.service.js';
import { createGuardedAgents } from '../src/delivery/ssrf-guard.js';
import { createWorkerMetrics } from '../src/metrics.js';
import { createDeliveryWorker } from '../src/worker.js';

export const log = createLogger({
  service: 'worker-test',
  version: '0',
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

export interface Harness {
  models: Models;
  services: ReturnType<typeof testServices>;
  redis: ReturnType<typeof createRedis>;
  consumer: ReturnType<typeof createRedis>;
  close(): Promise<void>;
}

export async function openHarness(label: string): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: services.mongoUrl, database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  const url = new URL(services.redisUrl);
  const redisOptions = { host: url.hostname, port: Number(url.port || 6379) };
  const redis = createRedis({ connection: redisOptions, role: 'producer' });
  const consumer = createRedis({ connection: redisOptions, role: 'consumer' });
  await Promise.all([waitForRedis(redis, 5000), waitForRedis(consumer, 5000)]);
  return {
    models,
    services,
    redis,
    consumer,
    async close() {
      const keys = await redis.keys(`${services.queuePrefix}*`);
      if (keys.length) await redis.del(...keys);
      await Promise.all([redis.quit(), consumer.quit()]);
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export interface InProcessWorker {
  queues: QueueSet;
  worker: Worker;
  registry: Registry;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * A delivery service and its BullMQ worker on `prefix` (default the file's own), with the default
 * configuration except `allowList` and `settings`.
 */
export async function startWorker(
  harness: Harness,
  { allowList, prefix, settings }: { allowList: string; prefix?: string; settings?: Partial<DeliverySettings> },
): Promise<InProcessWorker> {
  const config = loadWorkerConfig({});
  const queuePrefix = prefix ?? harness.services.queuePrefix;
  const queues = createQueues({ connection: harness.redis, prefix: queuePrefix });
  const agents = createGuardedAgents(parseAllowList(allowList));
  const registry = new Registry();
  const service = createDeliveryService({
    models: harness.models,
    queues,
    agents,
    log,
    metrics: createWorkerMetrics(registry),
    settings: { ...deliverySettings(config.worker), ...settings },
    cancelPlanned: cancelPlannedEvents,
  });
  const worker = createDeliveryWorker({
    connection: harness.consumer,
    prefix: queuePrefix,
    service,
    log,
    concurrency: 8,
    lockDurationMs: 5000,
    stalledIntervalMs: 1000,
    maxStalledCount: 2,
  });
  await worker.waitUntilReady();
  return {
    queues,
    worker,
    registry,
    prefix: queuePrefix,
    async stop() {
      await worker.close();
      await service.flush();
      await queues.close();
      agents.destroy();
    },
  };
}

export const TENANT = 'tenant-worker-test';
const RULE = compileRule({ text: 'FREQ=HOURLY', timezone: 'UTC', now: new Date('2026-01-01T00:00:00Z') });

/** A schedule as the API stores it, with small backoff bounds so retries take milliseconds. */
export async function createSchedule(models: Models, over: Partial<Schedule> = {}): Promise<ScheduleWithId> {
  if (!RULE.ok) throw new Error('rule');
  const doc = await models.schedules.create({
    tenant_id: TENANT,
    name: 'worker test',
    rrule: RULE.rule.text,
    timezone: 'UTC',
    callback_url: 'http://127.0.0.1:9/',
    method: 'POST',
    timeout_ms: 5000,
    retry_policy: { max_attempts: 3, min_backoff_ms: 50, max_backoff_ms: 200 },
    metadata: { suite: 'worker' },
    ...over,
  });
  return doc.toObject() as ScheduleWithId;
}

let nextOccurrence = Date.parse('2030-01-01T00:00:00Z');

/** An event the dispatcher has just released (`dispatched`), one hour after the previous one. */
export async function createEvent(
  models: Models,
  schedule: ScheduleWithId,
  over: Partial<EventDoc> = {},
): Promise<EventRecord> {
  nextOccurrence += 3_600_000;
  const occurrence = new Date(nextOccurrence);
  const doc = await models.events.create({
    tenant_id: schedule.tenant_id,
    schedule_id: schedule._id,
    schedule_version: schedule.version,
    occurrence_at: occurrence,
    kind: 'rule',
    status: 'dispatched',
    history: [{ time: new Date(), status: 'dispatched', message: null }],
    ...over,
  });
  return doc.toObject() as EventRecord;
}

/**
 * Enqueues the event's first delivery job the way the dispatcher does; `released` adds what the
 * dispatcher's job carries besides the occurrence (its release time, the schedule's snapshot).
 */
export async function enqueueDelivery(
  queues: QueueSet,
  event: EventRecord,
  jobId?: string,
  released: Pick<JobPayload<'deliver'>, 'dispatched_at' | 'schedule'> = {},
): Promise<string> {
  const id = jobId ?? occurrenceJobId(event.schedule_id.toString(), event.occurrence_at);
  const payload: JobPayload<'deliver'> = {
    tenant_id: event.tenant_id,
    event_id: event._id.toString(),
    schedule_id: event.schedule_id.toString(),
    schedule_version: event.schedule_version,
    occurrence_at: event.occurrence_at.toISOString(),
    ...released,
  };
  await enqueue(queues, 'deliver', [{ jobId: id, payload }]);
  return id;
}

export type Archived = ArchivedEventDoc & { _id: EventRecord['_id'] };

/** Polls until `check` returns a value (not undefined/null/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The event once its move to archived_events is complete: present there and gone from events
 * (archiveEvents inserts first and deletes second, so between the two it is in both).
 */
export function archived(models: Models, event: Pick<EventRecord, '_id'>, timeoutMs?: number): Promise<Archived> {
  return eventually(
    `event ${event._id} to be archived`,
    async () => {
      const [done, live] = await Promise.all([
        models.archivedEvents.findOne({ _id: event._id }).lean(),
        models.events.exists({ _id: event._id }),
      ]);
      return live ? null : (done as Archived | null);
    },
    timeoutMs,
  );
}

/** The live event once it is in `status`. */
export function liveInStatus(models: Models, event: Pick<EventRecord, '_id'>, status: EventDoc['status']) {
  return eventually(
    `event ${event._id} to be ${status}`,
    async () => (await models.events.findOne({ _id: event._id, status }).lean()) as EventRecord | null,
  );
}

export async function signingSecret(models: Models, tenantId = TENANT): Promise<string> {
  const tenant = await eventually('the tenant', () => models.tenants.findOne({ _id: tenantId }).lean());
  return tenant.signing_secret;
}

/** Returns a function that starts loopback receivers; every one it started is closed after each test. */
export function receiversClosedAfterEach(): (host?: string) => Promise<Receiver> {
  const open: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });
  return async (host) => {
    const r = await startReceiver(host);
    open.push(r);
    return r;
  };
}
