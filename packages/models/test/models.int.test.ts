import { createLogger } from '@event-scheduler/logging';
import { testServices } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Connection, Types } from 'mongoose';
import {
  archivedEventModel,
  connectMongo,
  createBulkInserter,
  type EventRecord,
  ensureIndexes,
  eventModel,
  findArchivedIds,
  insertOutcomes,
  insertPlannedEvents,
  isDuplicateKeyError,
  pingMongo,
  scheduleModel,
} from '../src/index.js';

const services = testServices('models');
let connection: Connection;

beforeAll(async () => {
  connection = await connectMongo({ uri: services.mongoUrl, database: services.database });
  scheduleModel(connection);
  eventModel(connection);
  archivedEventModel(connection);
  await ensureIndexes(connection);
});

afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('models on the Mongo-compatible server', () => {
  it('answers a ping', async () => {
    await expect(pingMongo(connection)).resolves.toBeUndefined();
  });

  it('round-trips a schedule, with defaults and timestamps', async () => {
    const Schedules = scheduleModel(connection);
    const created = await Schedules.create({
      tenant_id: 'tenant-a',
      name: 'Daily Backup',
      rrule: 'FREQ=DAILY;INTERVAL=1',
      callback_url: 'https://example.com/callback',
      headers_json: JSON.stringify({ 'x.dotted': 'kept', $dollar: 'kept' }),
      retry_policy: { max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 60_000 },
    });
    const found = await Schedules.findOne({ _id: created._id, tenant_id: 'tenant-a' }).lean();
    expect(found).toMatchObject({
      name: 'Daily Backup',
      rrule: 'FREQ=DAILY;INTERVAL=1',
      timezone: 'UTC',
      method: 'POST',
      status: 'active',
      version: 1,
      misfire_policy: 'fire_once',
      overlap_policy: 'allow',
      metadata: {},
    });
    expect(found?.created_at).toBeInstanceOf(Date);
    expect(JSON.parse(found?.headers_json ?? '{}')).toEqual({ 'x.dotted': 'kept', $dollar: 'kept' });
  });

  it('keeps one event per id: a second insert of the same occurrence is a duplicate', async () => {
    const Events = eventModel(connection);
    const first = event(1);
    expect(await insertPlannedEvents({ events: Events }, [first, event(2)])).toHaveLength(2);
    // Planned again (another planner, or after Redis lost the plan): only the new one goes in.
    const again = await insertPlannedEvents({ events: Events }, [first, event(3)]);
    expect(again.map((e) => e.occurrence_at.getUTCHours())).toEqual([3]);
    const duplicate = await Events.create(first).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDuplicateKeyError(duplicate)).toBe(true);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);
  });

  it('archives outcomes by insert and tells a duplicate (someone else finished it first)', async () => {
    const Archived = archivedEventModel(connection);
    const models = { archivedEvents: Archived };
    const done = (e: EventRecord) => ({
      ...e,
      status: 'succeeded' as const,
      finished_at: new Date(),
      archived_at: new Date(),
    });
    const [a, b] = [event(10), event(11)];
    expect(await insertOutcomes(models, [done(a)])).toEqual(['inserted']);
    expect(await insertOutcomes(models, [done(b), done(a)])).toEqual(['inserted', 'duplicate']);
    expect(await findArchivedIds(models, [a._id, b._id, event(12)._id])).toEqual(
      new Set([a._id.toHexString(), b._id.toHexString()]),
    );
  });

  it('batches inserts and tells each document its own outcome: inserted, or duplicate', async () => {
    const Events = eventModel(connection);
    const inserter = createBulkInserter(Events, { log: createLogger({ service: 'test', level: 'silent' }) });
    const first = event(21);
    await expect(inserter.insert(first)).resolves.toBe('inserted');
    // One batch: a new occurrence, the same document again, and a second new one.
    const outcomes = await Promise.all([
      inserter.insert(event(22)),
      inserter.insert(first),
      inserter.insert(event(23)),
    ]);
    expect(outcomes).toEqual(['inserted', 'duplicate', 'inserted']);
    expect(await Events.countDocuments({ schedule_id: scheduleId })).toBeGreaterThanOrEqual(3);
  });
});

const scheduleId = new Types.ObjectId();
const ids = new Map<number, Types.ObjectId>();
/** A live event of one schedule at hour `hour` of 2030-01-01, the same id for the same hour. */
function event(hour: number): EventRecord {
  const id = ids.get(hour) ?? new Types.ObjectId();
  ids.set(hour, id);
  const at = new Date(Date.UTC(2030, 0, 1, hour));
  return {
    _id: id,
    tenant_id: 'tenant-a',
    schedule_id: scheduleId,
    schedule_version: 1,
    occurrence_at: at,
    kind: 'rule',
    status: 'scheduled',
    history: [{ time: at, status: 'scheduled', message: 'planned' }],
    attempts: [],
    next_attempt_at: null,
    round: 0,
    round_start: 0,
    finished_at: null,
    created_at: at,
    updated_at: at,
  };
}
