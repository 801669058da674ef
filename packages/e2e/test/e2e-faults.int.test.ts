import type { ScheduleRecord } from '@event-scheduler/models';
import {
  deliveries,
  duplicates,
  occurrenceKey,
  type ReadyService,
  type Receiver,
  type RedisServer,
  sleep,
  startReceiver,
  startRedisServer,
  until,
} from '@event-scheduler/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  createSchedule,
  everySeconds,
  type Harness,
  insertSchedule,
  openHarness,
  type ScheduleSpec,
} from './fixtures.js';
import { complaints, type Role, startAll, stopAll } from './services.js';

jest.setTimeout(150_000);

let receiver: Receiver;
const running: ReadyService[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await stopAll(running);
  receiver.respond = () => ({ status: 200, body: 'ok' });
});

afterAll(async () => {
  await receiver.close();
});

/** `n` schedules firing every `period` seconds from a whole second 4 s ahead; their occurrence keys. */
async function schedules(
  h: Harness,
  n: number,
  period: number,
  count: number,
  extra: Partial<ScheduleSpec> = {},
  {
    path = '/f',
    store = insertSchedule,
  }: { path?: string; store?: (h: Harness, spec: ScheduleSpec) => Promise<ScheduleRecord> } = {},
) {
  const first = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
  const created = await Promise.all(
    [...Array(n).keys()].map(() =>
      store(h, {
        rule: `${everySeconds(period, first)};COUNT=${count}`,
        callbackUrl: `${receiver.url}${path}`,
        ...extra,
      }),
    ),
  );
  const keys = created.flatMap((s) =>
    [...Array(count).keys()].map((k) => `${s._id.toHexString()}@${first.getTime() + k * period * 1000}`),
  );
  return {
    ids: new Set(created.map((s) => s._id.toHexString())),
    keys,
    first,
    last: first.getTime() + (count - 1) * period * 1000,
  };
}

const keyed = (ids: Set<string>) => deliveries(receiver).filter((d) => ids.has(d.scheduleId));
const missing = (keys: string[], ids: Set<string>) => {
  const seen = new Set(keyed(ids).map(occurrenceKey));
  return keys.filter((k) => !seen.has(k));
};

/** A Redis of the test's own (FLUSHALL must never reach the shared one), with a harness on it. */
async function privateRedis(label: string): Promise<{ redis: RedisServer; h: Harness }> {
  const redis = await startRedisServer();
  return { redis, h: await openHarness(label, { redisUrl: redis.url }) };
}

describe('end to end under faults', () => {
  it('loses no occurrence when its own Redis is wiped (FLUSHALL) mid-run', async () => {
    const { redis, h } = await privateRedis('e2eflush');
    try {
      await startAll(h, ['worker', 'dispatcher', 'prequeuer'], running);
      const { ids, keys, last } = await schedules(h, 10, 2, 10, { graceSeconds: 60 });
      await sleep(8000);
      const before = keyed(ids).length;
      expect(await redis.command('FLUSHALL')).toBe('+OK');
      console.log(`FLUSHALL after ${before} of ${keys.length} deliveries`);
      await until(
        () => missing(keys, ids).length === 0,
        last - Date.now() + 45_000,
        'every occurrence delivered',
      ).catch((error: unknown) => {
        console.log(`only ${keyed(ids).length} of ${keys.length}\n${complaints(running).join('\n')}`);
        throw error;
      });
      await sleep(3000);
      console.log(
        `after FLUSHALL: ${keyed(ids).length} deliveries for ${keys.length} occurrences; duplicates: ${duplicates(keyed(ids)).length}`,
      );
      expect(missing(keys, ids)).toEqual([]);
    } finally {
      await stopAll(running);
      await h.close();
      await redis.stop();
    }
  });

  it('delivers occurrences waiting for a retry after Redis loses its data, noticing the wipe within seconds (#15 defect 1)', async () => {
    const { redis, h } = await privateRedis('e2eretrywipe');
    try {
      // The periodic reconcile runs at start and then not for an hour: only the epoch can notice the wipe.
      await startAll(h, ['worker', 'dispatcher', 'prequeuer'], running, {
        PREQUEUER_RECONCILE_INTERVAL_SECONDS: '3600',
      });
      let failing = true;
      const succeeded = new Set<string>();
      receiver.respond = (r) => {
        if (r.path !== '/retry') return { status: 200, body: 'ok' };
        if (failing) return { status: 500, body: 'down' };
        const body = JSON.parse(r.body) as { schedule_id: string; scheduled_at: string };
        succeeded.add(occurrenceKey({ scheduleId: body.schedule_id, scheduledAt: Date.parse(body.scheduled_at) }));
        return { status: 200, body: 'ok' };
      };
      // Retries wait 4 s: long enough for the wipe to find them waiting in Redis.
      const { ids, keys } = await schedules(
        h,
        5,
        2,
        3,
        { graceSeconds: 3600, retry: { max_attempts: 6, min_backoff_ms: 4000, max_backoff_ms: 4000 } },
        // Created as the API does (planned at once): with the periodic reconcile off, the
        // prequeuer would not start their plans before the hour is up.
        { path: '/retry', store: createSchedule },
      );
      const waitingRetry = () => h.models.events.countDocuments({ status: 'retry_scheduled' });
      await until(
        async () => (await waitingRetry()) >= keys.length,
        60_000,
        'every occurrence waiting for a retry',
      ).catch(async (error: unknown) => {
        const live = await h.models.events.find({}, { status: 1, attempts: 1 }).lean();
        const archived = await h.models.archivedEvents.find({}, { status: 1, attempts: 1 }).lean();
        console.log(
          `live: ${live.map((e) => `${e.status}/${e.attempts.length}`).join(' ')}; archived: ${archived.map((e) => `${e.status}/${e.attempts.length}`).join(' ')}; requests: ${receiver.requests.filter((r) => r.path === '/retry').length}\n${complaints(running).join('\n')}`,
        );
        throw error;
      });
      expect(await redis.command('FLUSHALL')).toBe('+OK');
      failing = false;
      // Every occurrence is delivered (answered 200) once Redis is back, well before the hour.
      await until(() => keys.every((k) => succeeded.has(k)), 30_000, 'every waiting retry delivered').catch(
        (error: unknown) => {
          console.log(`delivered ${succeeded.size} of ${keys.length}\n${complaints(running).join('\n')}`);
          throw error;
        },
      );
      const prequeuer = running.find((s) => s.app === 'prequeuer');
      expect(prequeuer?.lines.some((l) => l.includes('redis lost its data'))).toBe(true);
      // Each occurrence kept its webhook-id across attempts, and its outcome is archived as succeeded.
      for (const key of keys) {
        const attempts = keyed(ids).filter((d) => occurrenceKey(d) === key);
        expect(new Set(attempts.map((d) => d.eventId)).size).toBe(1);
      }
      await until(
        async () => (await h.models.archivedEvents.countDocuments({ status: 'succeeded' })) === keys.length,
        15_000,
        'outcomes archived',
      );
    } finally {
      await stopAll(running);
      await h.close();
      await redis.stop();
    }
  });

  it('loses no occurrence when a dispatcher is killed with SIGKILL mid-run', async () => {
    const h = await openHarness('e2ekill');
    try {
      await startAll(h, ['worker', 'dispatcher', 'dispatcher', 'prequeuer'], running);
      const { ids, keys, last } = await schedules(h, 10, 1, 15, { graceSeconds: 60 });
      await sleep(8000);
      await running.find((s) => s.app === 'dispatcher')?.stop('SIGKILL');
      console.log(`SIGKILL after ${keyed(ids).length} of ${keys.length} deliveries`);
      await until(() => missing(keys, ids).length === 0, last - Date.now() + 30_000, 'every occurrence delivered');
      await sleep(2000);
      expect(missing(keys, ids)).toEqual([]);
      console.log(
        `after SIGKILL: ${keyed(ids).length} deliveries for ${keys.length} occurrences; duplicates: ${duplicates(keyed(ids)).join(', ') || 'none'}`,
      );
    } finally {
      await stopAll(running);
      await h.close();
    }
  });

  it('applies each misfire policy after every service was stopped for 30 s', async () => {
    const h = await openHarness('e2edowntime');
    const GRACE_S = 6;
    const PERIOD_S = 2;
    try {
      const roles: Role[] = ['worker', 'dispatcher', 'prequeuer'];
      await startAll(h, roles, running);
      const policies = ['fire_once', 'fire_all', 'skip'] as const;
      const byPolicy = new Map<string, (typeof policies)[number]>();
      const first = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
      for (const misfire of policies) {
        const s = await insertSchedule(h, {
          rule: everySeconds(PERIOD_S, first),
          callbackUrl: `${receiver.url}/m`,
          misfire,
          graceSeconds: GRACE_S,
        });
        byPolicy.set(s._id.toHexString(), misfire);
      }
      const ids = new Set(byPolicy.keys());
      await until(() => keyed(ids).length >= 9, 20_000, 'deliveries before the outage');
      await stopAll(running);
      const stoppedAt = Date.now();
      await sleep(30_000);
      const restartAt = Date.now();
      await startAll(h, roles, running);
      await sleep(10_000);
      await stopAll(running);
      const endAt = Date.now();

      for (const [id, policy] of byPolicy) {
        const got = deliveries(receiver).filter((d) => d.scheduleId === id);
        const skipped = await h.models.archivedEvents.find({ schedule_id: id, status: 'skipped' }).lean();
        const delivered = new Set(got.map((d) => d.scheduledAt));
        const skippedAt = new Set(skipped.map((e) => e.occurrence_at.getTime()));
        // Occurrences that fell due while everything was down and were past their grace at restart.
        const down: number[] = [];
        for (let at = first.getTime(); at < endAt - 3000; at += PERIOD_S * 1000)
          if (at > stoppedAt && at < restartAt) down.push(at);
        const missed = down.filter((at) => at < restartAt - GRACE_S * 1000);
        const missedDelivered = missed.filter((at) => delivered.has(at));
        console.log(
          `${policy}: ${down.length} due during the outage, ${missed.length} past grace at restart; ` +
            `delivered ${missedDelivered.length} of those, skipped ${skippedAt.size} in all`,
        );
        expect(duplicates(got)).toEqual([]);
        // Every occurrence due during the outage was either delivered or recorded as skipped, never both.
        for (const at of down) expect([delivered.has(at), skippedAt.has(at)].filter(Boolean)).toHaveLength(1);
        if (policy === 'fire_all') {
          expect(skippedAt.size).toBe(0);
          expect(missedDelivered).toEqual(missed);
        }
        if (policy === 'skip') expect(missedDelivered).toEqual([]);
        if (policy === 'fire_once') {
          // The latest missed one fires; the boundary moves with the moment each send is examined, so
          // it is the last missed one or (if examined a little later) the one just after it.
          expect(missedDelivered.length).toBeLessThanOrEqual(1);
          expect(missed.length - missedDelivered.length).toBeGreaterThanOrEqual(missed.length - 1);
          const firstDelivered = Math.min(...down.filter((at) => delivered.has(at)));
          expect(down.filter((at) => delivered.has(at) && at < firstDelivered)).toEqual([]);
          expect(down.filter((at) => skippedAt.has(at) && at > firstDelivered)).toEqual([]);
        }
      }
    } finally {
      await stopAll(running);
      await h.close();
    }
  });
});
