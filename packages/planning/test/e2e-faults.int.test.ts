import { type ChildProcess, spawn } from 'node:child_process';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { freePort, type Receiver, type ServiceProcess, startReceiver } from '@event-scheduler/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { deliveries, duplicates, type Role, sleep, startService, until } from './e2e-fixtures.js';
import { everySeconds, type Harness, insertSchedule, openHarness } from './fixtures.js';

jest.setTimeout(150_000);

let receiver: Receiver;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await receiver.close();
});

/** Schedules firing every `period` seconds from a whole second `leadS` ahead; their expected occurrence keys. */
async function schedules(
  h: Harness,
  n: number,
  period: number,
  count: number,
  extra: Parameters<typeof insertSchedule>[1] extends infer S ? Partial<S> : never = {},
) {
  const first = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
  const created = await Promise.all(
    [...Array(n).keys()].map(() =>
      insertSchedule(h.models, {
        rule: `${everySeconds(period, first)};COUNT=${count}`,
        callbackUrl: `${receiver.url}/f`,
        ...extra,
      }),
    ),
  );
  const keys = created.flatMap((s) =>
    [...Array(count).keys()].map((k) => `${s._id.toHexString()}@${first.getTime() + k * period * 1000}`),
  );
  return { created, keys, first, last: first.getTime() + (count - 1) * period * 1000 };
}

const keyed = (ids: Set<string>) => deliveries(receiver).filter((d) => ids.has(d.scheduleId));

async function startAll(h: Harness, roles: Role[], extra: Record<string, string> = {}) {
  for (const role of roles) services.push(await startService(h, role, extra));
}

describe('end to end under faults', () => {
  it('loses no occurrence when its own Redis is wiped (FLUSHALL) mid-run', async () => {
    const port = await freePort();
    const redis: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const url = `redis://127.0.0.1:${port}`;
    const h = await openHarness('e2eflush', { REDIS_URL: url });
    try {
      const admin = createRedis({ connection: { host: '127.0.0.1', port }, role: 'producer' });
      await waitForRedis(admin, 5000);
      await startAll(h, ['worker', 'dispatcher', 'prequeuer'], {
        REDIS_URL: url,
        PREQUEUER_RECONCILE_DISPATCHED_AFTER_SECONDS: '3',
      });
      const { created, keys, last } = await schedules(h, 10, 2, 10, { graceSeconds: 60 });
      const ids = new Set(created.map((s) => s._id.toHexString()));
      await sleep(8000);
      const before = keyed(ids).length;
      await admin.flushall();
      console.log(`FLUSHALL after ${before} of ${keys.length} deliveries`);
      await until(
        () => keyed(ids).length >= keys.length,
        last - Date.now() + 45_000,
        'every occurrence delivered',
      ).catch((e) => {
        console.log(`only ${keyed(ids).length} of ${keys.length}`);
        throw e;
      });
      await sleep(3000);
      const got = keyed(ids);
      const seen = new Set(got.map((d) => `${d.scheduleId}@${d.scheduledAt}`));
      console.log(
        `after FLUSHALL: ${got.length} deliveries for ${keys.length} occurrences; duplicates: ${duplicates(got).length}`,
      );
      expect(keys.filter((k) => !seen.has(k))).toEqual([]);
      await admin.quit();
    } finally {
      await Promise.all(services.splice(0).map((s) => s.stop()));
      await h.close();
      redis.kill('SIGTERM');
    }
  });

  it('loses no occurrence when a dispatcher is killed with SIGKILL mid-run', async () => {
    const h = await openHarness('e2ekill');
    try {
      await startAll(h, ['worker', 'dispatcher', 'dispatcher', 'prequeuer']);
      const { created, keys, last } = await schedules(h, 10, 1, 15, { graceSeconds: 60 });
      const ids = new Set(created.map((s) => s._id.toHexString()));
      await sleep(8000);
      const victim = services[1];
      await victim?.stop('SIGKILL');
      console.log(`SIGKILL after ${keyed(ids).length} of ${keys.length} deliveries`);
      await until(() => keyed(ids).length >= keys.length, last - Date.now() + 30_000, 'every occurrence delivered');
      await sleep(2000);
      const got = keyed(ids);
      const seen = new Set(got.map((d) => `${d.scheduleId}@${d.scheduledAt}`));
      expect(keys.filter((k) => !seen.has(k))).toEqual([]);
      console.log(
        `after SIGKILL: ${got.length} deliveries for ${keys.length} occurrences; duplicates: ${duplicates(got).join(', ') || 'none'}`,
      );
    } finally {
      await Promise.all(services.splice(0).map((s) => s.stop()));
      await h.close();
    }
  });

  it('applies each misfire policy after every service was stopped for 30 s', async () => {
    const h = await openHarness('e2edowntime');
    const GRACE_S = 6;
    const PERIOD_S = 2;
    try {
      const roles: Role[] = ['worker', 'dispatcher', 'prequeuer'];
      await startAll(h, roles);
      const policies = ['fire_once', 'fire_all', 'skip'] as const;
      const byPolicy = new Map<string, (typeof policies)[number]>();
      const first = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
      for (const misfire of policies) {
        const s = await insertSchedule(h.models, {
          rule: everySeconds(PERIOD_S, first),
          callbackUrl: `${receiver.url}/m`,
          misfire,
          graceSeconds: GRACE_S,
        });
        byPolicy.set(s._id.toHexString(), misfire);
      }
      const ids = new Set(byPolicy.keys());
      await until(() => keyed(ids).length >= 9, 20_000, 'deliveries before the outage');
      await Promise.all(services.splice(0).map((s) => s.stop()));
      const stoppedAt = Date.now();
      await sleep(30_000);
      const restartAt = Date.now();
      await startAll(h, roles);
      await sleep(10_000);
      await Promise.all(services.splice(0).map((s) => s.stop()));
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
          // The latest missed one fires; the boundary moves with the moment each job is examined, so
          // it is the last missed one or (if examined a little later) the one just after it.
          expect(missedDelivered.length).toBeLessThanOrEqual(1);
          expect(missed.length - missedDelivered.length).toBeGreaterThanOrEqual(missed.length - 1);
          const firstDelivered = Math.min(...down.filter((at) => delivered.has(at)));
          expect(down.filter((at) => delivered.has(at) && at < firstDelivered)).toEqual([]);
          expect(down.filter((at) => skippedAt.has(at) && at > firstDelivered)).toEqual([]);
        }
      }
    } finally {
      await Promise.all(services.splice(0).map((s) => s.stop()));
      await h.close();
    }
  });
});
