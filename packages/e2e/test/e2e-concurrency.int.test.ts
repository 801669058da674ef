import {
  deliveries,
  duplicates,
  occurrenceKey,
  type ReadyService,
  type Receiver,
  sleep,
  startReceiver,
  until,
} from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { everySeconds, type Harness, insertSchedule, openHarness } from './fixtures.js';
import { complaints, startAll, stopAll } from './services.js';

jest.setTimeout(150_000);

const SCHEDULES = 200;
const PERIOD_S = 10;
const COUNT = 4; // 40 s of occurrences

let h: Harness;
let receiver: Receiver;
const running: ReadyService[] = [];

beforeAll(async () => {
  h = await openHarness('e2econcurrency');
  receiver = await startReceiver();
  await startAll(h, ['worker', 'dispatcher', 'dispatcher', 'prequeuer', 'prequeuer'], running);
});

afterAll(async () => {
  await stopAll(running);
  await receiver.close();
  await h.close();
});

describe('end to end: two prequeuers and two dispatchers at once', () => {
  it(`deliver exactly once per occurrence for ${SCHEDULES} schedules`, async () => {
    const first = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    // Spread over the period so deliveries are steady rather than in bursts of 200. Stored only:
    // the prequeuers start their plans and plan them, each occurrence once between them.
    const starts = [...Array(SCHEDULES).keys()].map(
      (i) => first.getTime() + Math.floor((i * PERIOD_S * 1000) / SCHEDULES),
    );
    const created = await Promise.all(
      starts.map((start) =>
        insertSchedule(h, {
          rule: `${everySeconds(PERIOD_S, new Date(start))};COUNT=${COUNT}`,
          callbackUrl: `${receiver.url}/c`,
        }),
      ),
    );
    const expected = created.flatMap((s, i) =>
      [...Array(COUNT).keys()].map(
        (k) => `${s._id.toHexString()}@${Math.floor((starts[i] ?? 0) / 1000) * 1000 + k * PERIOD_S * 1000}`,
      ),
    );
    const total = SCHEDULES * COUNT;
    const lastDue = first.getTime() + COUNT * PERIOD_S * 1000;
    await until(() => receiver.requests.length >= total, lastDue - Date.now() + 60_000, `${total} deliveries`).catch(
      (error: unknown) => {
        console.log(`only ${receiver.requests.length} of ${total} delivered\n${complaints(running).join('\n')}`);
        throw error;
      },
    );
    await sleep(3000);
    const got = deliveries(receiver);
    const keys = new Set(got.map(occurrenceKey));
    const lateness = got.map((d) => d.arrivedAt - d.scheduledAt).sort((a, b) => a - b);
    const q = (p: number) => Math.round(lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? 0);
    console.log(`${got.length} deliveries; lateness ms p50 ${q(0.5)} p99 ${q(0.99)} max ${q(1)}`);
    if (duplicates(got).length > 0) {
      for (const dup of duplicates(got)) {
        const copies = got.filter((d) => occurrenceKey(d) === dup.split(' ')[0]);
        console.log(`duplicate ${dup}: ${copies.map((c) => `${c.eventId} attempt ${c.attempt}`).join(', ')}`);
      }
      console.log(complaints(running).join('\n'));
    }
    expect(duplicates(got)).toEqual([]);
    expect(expected.filter((k) => !keys.has(k))).toEqual([]);
    expect(got.length).toBe(total);
  });
});
