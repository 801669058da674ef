import { type Receiver, type ServiceProcess, startReceiver } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { deliveries, duplicates, sleep, startService, until } from './e2e-fixtures.js';
import { everySeconds, type Harness, insertSchedule, openHarness } from './fixtures.js';

jest.setTimeout(150_000);

const SCHEDULES = 200;
const PERIOD_S = 10;
const COUNT = 4; // 40 s of occurrences

let h: Harness;
let receiver: Receiver;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  h = await openHarness('e2econcurrency');
  receiver = await startReceiver();
  for (const role of ['worker', 'dispatcher', 'dispatcher', 'prequeuer', 'prequeuer'] as const)
    services.push(await startService(h, role));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await receiver.close();
  await h.close();
});

describe('end to end: two prequeuers and two dispatchers at once', () => {
  it(`deliver exactly once per occurrence for ${SCHEDULES} schedules`, async () => {
    const first = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    const schedules = [];
    for (let i = 0; i < SCHEDULES; i++) {
      // Spread over the period so deliveries are steady rather than in bursts of 200.
      const start = new Date(first.getTime() + Math.floor((i * PERIOD_S * 1000) / SCHEDULES));
      schedules.push(
        insertSchedule(h.models, {
          rule: `${everySeconds(PERIOD_S, start)};COUNT=${COUNT}`,
          callbackUrl: `${receiver.url}/c`,
        }),
      );
    }
    const created = await Promise.all(schedules);
    const expected = new Set(
      created.flatMap((s) => {
        const start = Date.parse(
          s.rrule.slice(8, 24).replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z'),
        );
        return [...Array(COUNT).keys()].map((k) => `${s._id.toHexString()}@${start + k * PERIOD_S * 1000}`);
      }),
    );
    const total = SCHEDULES * COUNT;
    const lastDue = first.getTime() + (COUNT - 1) * PERIOD_S * 1000 + PERIOD_S * 1000;
    await until(() => receiver.requests.length >= total, lastDue - Date.now() + 60_000, `${total} deliveries`).catch(
      (error: unknown) => {
        console.log(`only ${receiver.requests.length} of ${total} delivered`);
        throw error;
      },
    );
    await sleep(3000);
    const got = deliveries(receiver);
    const keys = got.map((d) => `${d.scheduleId}@${d.scheduledAt}`);
    const lateness = got.map((d) => d.arrivedAt - d.scheduledAt).sort((a, b) => a - b);
    const q = (p: number) => Math.round(lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? 0);
    console.log(`${got.length} deliveries; lateness ms p50 ${q(0.5)} p99 ${q(0.99)} max ${q(1)}`);
    for (const dup of duplicates(got)) {
      const [scheduleId, at] = dup.split(' ')[0]?.split('@') ?? [];
      const copies = got.filter((d) => d.scheduleId === scheduleId && String(d.scheduledAt) === at);
      const archived = await h.models.archivedEvents
        .find({ schedule_id: scheduleId, occurrence_at: new Date(Number(at)) })
        .lean();
      console.log(
        `duplicate ${dup}: webhook-ids ${copies.map((c) => `${c.eventId}+${Math.round(c.arrivedAt - c.scheduledAt)}ms`).join(', ')}; ` +
          `archived: ${archived.map((e) => `${e._id} ${e.history.map((x) => `${x.status}@${x.time.toISOString().slice(17, 23)}:${x.message}`).join(' > ')}`).join(' | ')}`,
      );
    }
    if (duplicates(got).length > 0)
      for (const s of services)
        for (const line of s.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 5))
          console.log(line.slice(0, 600));
    expect(duplicates(got)).toEqual([]);
    expect([...expected].filter((k) => !keys.includes(k))).toEqual([]);
    expect(got.length).toBe(total);
  });
});
