/**
 * Shared set-up for the worker's integration tests, driving the worker the way production does:
 * a real database and Redis (this file's own database and key prefix); schedules stored as the
 * API stores them; occurrences planned through the engine (a live event and its send on the
 * timeline, or the engine's own extra events and redeliveries); and the engine's dispatch pass,
 * run in this process every 25 ms, handing batches to the shard's worker queue, where the worker
 * (in process, see worker-harness.ts, or the built process) takes them.
 */
import {
  createDispatch,
  createEngine,
  type Engine,
  plannedEvent,
  sendOf,
  snapshotOf,
  WORKER_QUEUE,
} from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import {
  type ArchivedEventRecord,
  connectMongo,
  type EventRecord,
  type EventStatus,
  ensureIndexes,
  insertPlannedEvents,
  type Models,
  registerModels,
  type Schedule,
  type ScheduleRecord,
} from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { compileRule } from '@event-scheduler/scheduling';
import { type Receiver, startReceiver, type TestServices, testServices } from '@event-scheduler/testing';
import { afterEach } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Connection } from 'mongoose';

export const log = createLogger({
  service: 'worker-test',
  version: '0',
  level: process.env.TEST_LOG_LEVEL ?? 'silent',
});

export type Redis = ReturnType<typeof createRedis>;

/** One deployment's worth of keys (a prefix): its engine, worker queue and a running dispatch loop. */
export interface Lane {
  prefix: string;
  /** The engine as the API, the planner and the dispatcher use it (this process's own). */
  engine: Engine;
  /** Shard 0's worker queue, where the dispatch pass hands batches. */
  queue: Queue;
  close(): Promise<void>;
}

export interface Harness {
  services: TestServices;
  connection: Connection;
  models: Models;
  redis: Redis;
  redisOptions: { host: string; port: number };
  /** The default lane, on the file's own prefix. */
  lane: Lane;
  engine: Engine;
  /** Another lane on `<prefix>_<suffix>` (a second deployment sharing the database), closed with the harness. */
  openLane(suffix: string): Promise<Lane>;
  close(): Promise<void>;
}

export interface LaneOptions {
  /** dispatcher.lead_ms: how long before its instant a send reaches a worker. Default 1500 (production's). */
  leadMs?: number;
  /** dispatcher.batch_size. Default 200 (production's). */
  batchSize?: number;
}

/**
 * The dispatcher's loop (apps/dispatcher), in this process: the engine's pass over shard 0 every
 * `pollMs`, and the sweep of expired leases every second.
 */
function startDispatchLoop(dispatch: ReturnType<typeof createDispatch>, pollMs = 25): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastSweep = 0;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    if (Date.now() - lastSweep >= 1000) {
      lastSweep = Date.now();
      await dispatch.sweep(0);
    }
    await dispatch.pass(0);
  };
  const run = () => {
    running = once()
      .catch((error: unknown) => log.error({ err: error }, 'test dispatch pass failed'))
      .then(() => {
        if (!stopped) timer = setTimeout(run, pollMs);
      });
  };
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

async function openLaneOn(
  base: Pick<Harness, 'models' | 'redis'>,
  prefix: string,
  { leadMs = 1500, batchSize = 200 }: LaneOptions,
): Promise<Lane> {
  // A window of a minute: schedules here use a rule that never fires within it (see RULE), so
  // the engine's own planning (after a change) plans nothing the tests did not ask for.
  const engine = createEngine({ models: base.models, redis: base.redis, prefix, log, windowMs: 60_000, leadMs });
  const queue = new Queue(WORKER_QUEUE, { connection: base.redis, prefix: engine.keys.queuePrefix(0) });
  const dispatch = createDispatch(engine, () => queue, { batchSize, leaseMs: 5000, takeLimit: 5000 });
  const stop = startDispatchLoop(dispatch);
  return {
    prefix,
    engine,
    queue,
    async close() {
      await stop();
      await engine.outcomes.flush();
      await queue.close();
    },
  };
}

export async function openHarness(label: string, options: LaneOptions = {}): Promise<Harness> {
  const services = testServices(label);
  const connection = await connectMongo({ uri: services.mongoUrl, database: services.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  // Every collection exists before workers run: FerretDB v1 can deadlock when several
  // connections create one implicitly at once.
  for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
  const url = new URL(services.redisUrl);
  const redisOptions = { host: url.hostname, port: Number(url.port || 6379) };
  const redis = createRedis({ connection: redisOptions, role: 'producer' });
  await waitForRedis(redis, 5000);
  const lanes: Lane[] = [];
  const lane = await openLaneOn({ models, redis }, services.queuePrefix, options);
  lanes.push(lane);
  return {
    services,
    connection,
    models,
    redis,
    redisOptions,
    lane,
    engine: lane.engine,
    async openLane(suffix) {
      const extra = await openLaneOn({ models, redis }, `${services.queuePrefix}_${suffix}`, options);
      lanes.push(extra);
      return extra;
    },
    async close() {
      await Promise.all(lanes.map((l) => l.close()));
      // Engine keys are hash-tagged: `{<prefix>:<shard>}:...`.
      for (const pattern of [`{${services.queuePrefix}*`, `${services.queuePrefix}*`]) {
        const keys = await redis.keys(pattern);
        if (keys.length > 0) await redis.del(...keys);
      }
      await redis.quit();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export const TENANT = 'tenant-worker-test';

/**
 * A rule whose first occurrence is decades away: every occurrence in these tests is planned
 * explicitly, and the engine's planning after a change (applyChange) finds nothing in its window.
 */
const RULE = compileRule({ text: 'DTSTART:20990101T000000Z\nRRULE:FREQ=YEARLY', timezone: 'UTC', now: new Date() });

/** A schedule as the API stores it, with small backoff bounds so retries take milliseconds. */
export async function createSchedule(models: Models, over: Partial<Schedule> = {}): Promise<ScheduleRecord> {
  if (!RULE.ok) throw new Error(`test rule: ${JSON.stringify(RULE.errors)}`);
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
  return doc.toObject() as ScheduleRecord;
}

/**
 * Plans one occurrence of `schedule` as the planner does (planSchedules): the live event, its
 * schedule's snapshot and its send on the timeline, due `inMs` from now (default 300 ms: the
 * dispatch loop hands it over at once and the worker holds it until then). `at` overrides it.
 */
export async function planEvent(
  lane: Pick<Lane, 'engine'>,
  schedule: ScheduleRecord,
  { inMs = 300, at }: { inMs?: number; at?: Date } = {},
): Promise<EventRecord> {
  const { engine } = lane;
  const event = plannedEvent(schedule, at ?? new Date(Date.now() + inMs), 'rule', new Date(), 'planned');
  const [inserted] = await insertPlannedEvents(engine.models, [event]);
  if (!inserted) throw new Error('the occurrence was planned already');
  await engine.snapshots.put([{ scheduleId: schedule._id.toHexString(), snapshot: snapshotOf(schedule) }]);
  await engine.timeline.add([sendOf(inserted)]);
  return inserted;
}

/** Plans occurrences of `schedule` at each of `instants` at once (one insert, one timeline write), as a planning pass does. */
export async function planEvents(
  lane: Pick<Lane, 'engine'>,
  schedule: ScheduleRecord,
  instants: Date[],
): Promise<EventRecord[]> {
  const { engine } = lane;
  const now = new Date();
  const inserted = await insertPlannedEvents(
    engine.models,
    instants.map((at) => plannedEvent(schedule, at, 'rule', now, 'planned')),
  );
  await engine.snapshots.put([{ scheduleId: schedule._id.toHexString(), snapshot: snapshotOf(schedule) }]);
  await engine.timeline.add(inserted.map(sendOf));
  return inserted;
}

/** Polls until `check` returns a value (not undefined/null/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The event's outcome: its copy in archived_events (an event is finished once its outcome is
 * archived; the live copy is left for the prequeuer's purge, in bulk).
 */
export function archived(
  models: Models,
  event: Pick<EventRecord, '_id'>,
  timeoutMs?: number,
): Promise<ArchivedEventRecord> {
  return eventually(
    `event ${event._id} to be archived`,
    async () => (await models.archivedEvents.findOne({ _id: event._id }).lean()) as ArchivedEventRecord | null,
    timeoutMs,
  );
}

/** The live event once it is stored with `status` (a live event is `scheduled` or `retry_scheduled`). */
export function liveInStatus(models: Models, event: Pick<EventRecord, '_id'>, status: EventStatus) {
  return eventually(
    `event ${event._id} to be ${status}`,
    async () => (await models.events.findOne({ _id: event._id, status }).lean()) as EventRecord | null,
  );
}

/** Where the event's next send is in the plan (timeline, taken by a dispatcher, held by a worker's batch). */
export async function whereabouts(lane: Pick<Lane, 'engine'>, event: EventRecord) {
  const [where] = await lane.engine.timeline.locate([sendOf(event)]);
  return where?.at ?? 'nowhere';
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
