import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { testServices } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  createSnapshotStore,
  createTimeline,
  decodeChange,
  engineKeys,
  eventIdFor,
  type Occurrence,
  type ScheduleSnapshot,
  subscribeChanges,
} from '../src/index.js';

const services = testServices('timeline');
const url = new URL(services.redisUrl);
const connection = { host: url.hostname, port: Number(url.port || 6379) };
let redis: Redis;
let other: Redis;

beforeAll(async () => {
  redis = createRedis({ connection, role: 'producer' });
  other = createRedis({ connection, role: 'producer' });
  await Promise.all([waitForRedis(redis, 5000), waitForRedis(other, 5000)]);
});

afterAll(async () => {
  const keys = await redis.keys(`{${services.queuePrefix}*`);
  if (keys.length) await redis.del(...keys);
  await Promise.all([redis.quit(), other.quit()]);
});

const scheduleId = (n: number) => n.toString(16).padStart(24, '0');
function sendAt(n: number, dueAt: number): Occurrence {
  const s = scheduleId(n % 7);
  return {
    dueAt,
    eventId: eventIdFor({ scheduleId: s, version: 1, occurrenceAt: dueAt + n, kind: 'rule' }),
    scheduleId: s,
    version: 1,
    occurrenceAt: dueAt + n,
    kind: 'rule',
    attempt: 1,
    round: 0,
    roundStart: 0,
    plannedAt: 1,
  };
}

describe('the timeline', () => {
  it('hands each due send to exactly one of two racing dispatchers, and nothing early', async () => {
    const keys = engineKeys(`${services.queuePrefix}a`, 2);
    const mine = createTimeline(redis, keys);
    const theirs = createTimeline(other, keys);
    const now = Date.now();
    const due = Array.from({ length: 600 }, (_, i) => sendAt(i, now - 1000 + i));
    const later = Array.from({ length: 50 }, (_, i) => sendAt(1000 + i, now + 60_000));
    await mine.add([...due, ...later, ...due.slice(0, 10)]);
    const taken = await Promise.all(
      [0, 1].flatMap((shard) => [
        mine.take(shard, now, 10_000, 250),
        theirs.take(shard, now, 10_000, 250),
        mine.take(shard, now, 10_000, 250),
      ]),
    );
    const ids = taken.flat().map((s) => s.eventId);
    expect(ids).toHaveLength(due.length);
    expect(new Set(ids).size).toBe(due.length);
    expect(await mine.planned(0, now + 120_000)).toHaveLength(
      later.filter((s) => keys.shardOf(s.scheduleId) === 0).length,
    );
  });

  it('puts back what a dead dispatcher leased, at its due instant, and tracks hand-overs', async () => {
    const keys = engineKeys(`${services.queuePrefix}b`);
    const timeline = createTimeline(redis, keys);
    const now = Date.now();
    const sends = [sendAt(1, now - 10), sendAt(2, now - 5), sendAt(3, now + 500)];
    await timeline.add(sends);
    const taken = await timeline.take(0, now, 1, 100); // lease 1 ms: already expired below
    expect(taken).toHaveLength(2);
    expect(await timeline.locate(sends)).toEqual([{ at: 'taking' }, { at: 'taking' }, { at: 'timeline' }]);
    await new Promise((r) => setTimeout(r, 5));
    expect(await timeline.sweep(0, Date.now())).toBe(2);
    const again = await timeline.take(0, now, 10_000, 100);
    expect(again.map((s) => s.eventId).sort()).toEqual(taken.map((s) => s.eventId).sort());
    await timeline.hand(0, 'b-1-abc', again.slice(0, 1));
    await timeline.drop(0, again.slice(1));
    expect(await timeline.locate(sends)).toEqual([
      { at: 'held', job: 'b-1-abc' },
      { at: 'nowhere' },
      { at: 'timeline' },
    ]);
    const retry = { ...sends[0]!, dueAt: now + 2000, attempt: 2 };
    await timeline.finish([{ send: again[0]!, next: retry }]);
    expect(await timeline.locate([sends[0]!, retry])).toEqual([{ at: 'nowhere' }, { at: 'timeline' }]);
    await timeline.remove([retry, sends[2]!]);
    expect(await timeline.planned(0, now + 10_000)).toEqual([]);
  });
});

const snapshot = (v: number, status: ScheduleSnapshot['status'] = 'active'): ScheduleSnapshot => ({
  v,
  status,
  tenant_id: 't',
  name: 'n',
  callback_url: 'http://127.0.0.1:9/cb',
  method: 'POST',
  headers_json: null,
  body: null,
  timeout_ms: 1000,
  retry_policy: { max_attempts: 3, min_backoff_ms: 1000, max_backoff_ms: 60_000 },
  overlap_policy: 'allow',
  max_consecutive_failures: 0,
  misfire_policy: 'fire_once',
  misfire_grace_seconds: 60,
  rrule: 'DTSTART:20300101T000000Z\nRRULE:FREQ=DAILY',
  timezone: 'UTC',
  metadata: {},
});

describe('schedule snapshots', () => {
  it('never replace a newer version with an older one', async () => {
    const keys = engineKeys(`${services.queuePrefix}c`);
    const store = createSnapshotStore(redis, keys);
    const id = scheduleId(42);
    await store.put([{ scheduleId: id, snapshot: snapshot(2) }]);
    await store.put([{ scheduleId: id, snapshot: snapshot(1) }]);
    expect((await store.get([id])).get(id)?.v).toBe(2);
    await store.put([{ scheduleId: id, snapshot: snapshot(3, 'paused') }]);
    expect((await store.get([id, scheduleId(43)])).get(id)).toMatchObject({ v: 3, status: 'paused' });
    expect((await store.get([scheduleId(43)])).size).toBe(0);
  });

  it('announce a change to every subscriber', async () => {
    const keys = engineKeys(`${services.queuePrefix}d`);
    const store = createSnapshotStore(redis, keys);
    const subscriber = createRedis({ connection, role: 'consumer' });
    const seen: unknown[] = [];
    const stop = await subscribeChanges(subscriber, keys, (c) => seen.push(c));
    await store.announce(scheduleId(7), snapshot(5, 'deleted'));
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([{ scheduleId: scheduleId(7), version: 5, status: 'deleted' }]);
    expect((await store.get([scheduleId(7)])).get(scheduleId(7))?.status).toBe('deleted');
    expect(decodeChange('nonsense')).toBeNull();
    await stop();
  });
});
