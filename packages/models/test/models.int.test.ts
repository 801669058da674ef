import { createLogger } from '@event-scheduler/logging';
import { testServices } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Connection, Types } from 'mongoose';
import {
  connectMongo,
  createBulkInserter,
  ensureIndexes,
  eventModel,
  isDuplicateKeyError,
  newEventDoc,
  pingMongo,
  scheduleModel,
} from '../src/index.js';

const services = testServices('models');
let connection: Connection;

beforeAll(async () => {
  connection = await connectMongo({ uri: services.mongoUrl, database: services.database });
  scheduleModel(connection);
  eventModel(connection);
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
      cursor: null,
    });
    expect(found?.created_at).toBeInstanceOf(Date);
    expect(JSON.parse(found?.headers_json ?? '{}')).toEqual({ 'x.dotted': 'kept', $dollar: 'kept' });
  });

  it('reports a unique index violation as a duplicate key error', async () => {
    const Events = eventModel(connection);
    const occurrence = {
      tenant_id: 'tenant-a',
      schedule_id: new Types.ObjectId(),
      schedule_version: 1,
      occurrence_at: new Date('2030-01-01T00:00:00Z'),
    };
    await Events.create(occurrence);
    const duplicate = await Events.create(occurrence).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDuplicateKeyError(duplicate)).toBe(true);
    expect(await Events.countDocuments({ schedule_id: occurrence.schedule_id })).toBe(1);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);
  });

  it('batches inserts and tells each document its own outcome: inserted, or duplicate', async () => {
    const Events = eventModel(connection);
    const inserter = createBulkInserter(Events, { log: createLogger({ service: 'test', level: 'silent' }) });
    const schedule = { _id: new Types.ObjectId(), tenant_id: 'tenant-b', version: 1 };
    const scheduleId = schedule._id;
    const doc = (hour: number) =>
      newEventDoc(schedule, new Date(Date.UTC(2030, 0, 1, hour)), 'rule', new Date(), 'planned');
    const first = doc(1);
    await expect(inserter.insert(first)).resolves.toBe('inserted');
    // One batch: a new occurrence, the same document again, and a second new one.
    const outcomes = await Promise.all([inserter.insert(doc(2)), inserter.insert(first), inserter.insert(doc(3))]);
    expect(outcomes).toEqual(['inserted', 'duplicate', 'inserted']);
    expect(await Events.countDocuments({ schedule_id: scheduleId })).toBe(3);
  });
});
