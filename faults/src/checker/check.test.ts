import { describe, expect, it } from '@jest/globals';
import { check } from './check.js';
import type {
  AcknowledgedChange,
  AcknowledgedSchedule,
  Arrival,
  CheckInput,
  FaultWindow,
  FinalEvent,
  Intent,
  ScheduleState,
} from './types.js';

/** A run the tests edit in place. */
interface Run extends CheckInput {
  schedules: AcknowledgedSchedule[];
  arrivals: Arrival[];
  events: FinalEvent[];
  faults: FaultWindow[];
}

// Ten occurrences, one a second from T0.
const T0 = Date.parse('2026-01-01T00:00:00Z');
const RULE = 'DTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=10';
const MAIN = 'http://127.0.0.1:9/t/a/main';
const at = (i: number) => T0 + i * 1000;

function state(overrides: Partial<ScheduleState> = {}): ScheduleState {
  return { rrule: RULE, timezone: 'UTC', callbackUrl: MAIN, status: 'active', version: 1, ...overrides };
}

const created: AcknowledgedChange = { kind: 'create', sentAt: T0 - 5000, ackAt: T0 - 4900, state: state() };

function schedule(changes: AcknowledgedChange[] = [created], intent: Intent = 'deliver'): AcknowledgedSchedule {
  return { id: 's1', tenant: 'a', changes, intent };
}

function event(i: number, overrides: Partial<FinalEvent> = {}): FinalEvent {
  return {
    id: `e${i}`,
    tenant: 'a',
    scheduleId: 's1',
    occurrenceAt: at(i),
    kind: 'rule',
    status: 'succeeded',
    attempts: 1,
    ...overrides,
  };
}

function arrival(i: number, overrides: Partial<Arrival> = {}): Arrival {
  return {
    webhookId: `e${i}`,
    attempt: 1,
    arrivedAt: at(i) + 100,
    tenant: 'a',
    path: '/t/a/main',
    scheduleId: 's1',
    scheduledAt: at(i),
    signatureValid: true,
    reply: 'status',
    status: 200,
    success: true,
    ...overrides,
  };
}

const all = Array.from({ length: 10 }, (_, i) => i);

/** Every occurrence delivered once, 100 ms late, then `edit` applied. */
function run(edit: (input: Run) => void = () => undefined): Run {
  const input: Run = {
    schedules: [schedule()],
    events: all.map((i) => event(i)),
    arrivals: all.map((i) => arrival(i)),
    faults: [],
    observedUntil: at(20),
  };
  edit(input);
  return input;
}

const without = <T extends { webhookId?: string; id?: string }>(items: T[], id: string) =>
  items.filter((x) => (x.webhookId ?? x.id) !== id);

describe('the checker', () => {
  it('passes a clean run: every occurrence delivered once, on time, agreeing with the database', () => {
    const report = check(run());
    expect(report).toMatchObject({
      expected: 10,
      delivered: 10,
      failed: 0,
      lost: [],
      duplicates: { total: 0, unexcused: 0 },
      unexpected: [],
      badSignatures: 0,
      mismatches: [],
    });
    expect(report.lateness).toEqual({ count: 10, p50Ms: 100, p99Ms: 100, maxMs: 100, late: 0 });
    expect(report.latenessByTenant.a?.count).toBe(10);
  });

  it('counts an occurrence nobody received as lost, with the status it was left in', () => {
    const report = check(
      run((input) => {
        input.arrivals = [...without(input.arrivals, 'e4'), arrival(4, { status: 500, success: false })];
        input.events = [...without(input.events, 'e4'), event(4, { status: 'retry_scheduled' })];
        input.arrivals = without(input.arrivals, 'e7');
        input.events = without(input.events, 'e7');
      }),
    );
    expect(report.lost).toEqual([
      { scheduleId: 's1', at: at(4), status: 'retry_scheduled', arrivals: 1 },
      { scheduleId: 's1', at: at(7), status: 'no event', arrivals: 0 },
    ]);
    expect(report.delivered).toBe(8);
  });

  it('excuses a duplicate only when the first success fell inside a fault window', () => {
    const dup = (i: number) => arrival(i, { attempt: 2, arrivedAt: at(i) + 30_000 });
    const outside = check(
      run((input) => {
        input.arrivals.push(dup(2));
        input.events = [...without(input.events, 'e2'), event(2, { attempts: 2 })];
      }),
    );
    expect(outside.duplicates).toEqual({ total: 1, unexcused: 1 });
    const inside = check(
      run((input) => {
        input.arrivals.push(dup(2));
        input.events = [...without(input.events, 'e2'), event(2, { attempts: 2 })];
        input.faults = [{ name: 'worker SIGKILL', start: at(2) + 200, end: at(2) + 300 }];
      }),
    );
    expect(inside.duplicates).toEqual({ total: 1, unexcused: 0 });
    expect(inside.mismatches).toEqual([]);
  });

  it('expects nothing while paused, and lets occurrences in flight around a change fire once or not at all', () => {
    const changes: AcknowledgedChange[] = [
      created,
      { kind: 'pause', sentAt: at(3), ackAt: at(3) + 100, state: state({ status: 'paused', version: 2 }) },
      { kind: 'resume', sentAt: at(6), ackAt: at(6) + 100, state: state({ version: 3 }) },
    ];
    const report = check(
      run((input) => {
        input.schedules = [schedule(changes)];
        // 2 and 3 are in the pause's window (sent at 3, grace 1 s), 6 in the resume's: skipped.
        for (const id of ['e2', 'e3', 'e5', 'e6']) {
          input.arrivals = without(input.arrivals, id);
          input.events = without(input.events, id);
        }
      }),
    );
    expect(report.expected).toBe(5);
    expect(report.optional).toEqual({ total: 3, fired: 0 });
    expect(report.lost).toEqual([]);
    expect(report.unexpected).toEqual([{ webhookId: 'e4', reason: 'paused', scheduleId: 's1', at: at(4) }]);
  });

  it('holds an update to its new callback URL from its acknowledgement on', () => {
    const changes: AcknowledgedChange[] = [
      created,
      {
        kind: 'update',
        sentAt: at(4) + 500,
        ackAt: at(4) + 600,
        state: state({ callbackUrl: 'http://127.0.0.1:9/t/a/new', version: 2 }),
      },
    ];
    const report = check(
      run((input) => {
        input.schedules = [schedule(changes)];
        input.arrivals = input.arrivals.map((a, i) => (i >= 5 && i !== 6 ? { ...a, path: '/t/a/new' } : a));
      }),
    );
    // 6 still went to the old URL after the update was acknowledged: unexpected, and not delivered.
    expect(report.unexpected).toEqual([{ webhookId: 'e6', reason: 'wrong callback url', scheduleId: 's1', at: at(6) }]);
    expect(report.lost.map((l) => l.at)).toEqual([at(6)]);
    expect(report.optional).toEqual({ total: 1, fired: 1 });
    expect(report.expected).toBe(9);
  });

  it('flags deliveries after a delete, outside the rule, of other tenants and of unknown events', () => {
    const changes: AcknowledgedChange[] = [created, { kind: 'delete', sentAt: at(5) + 500, ackAt: at(5) + 600 }];
    const report = check(
      run((input) => {
        input.schedules = [schedule(changes)];
        input.events.push(event(0, { id: 'half', occurrenceAt: at(0) + 500 }));
        input.arrivals.push(arrival(0, { webhookId: 'half', arrivedAt: at(0) + 600 }));
        input.arrivals.push(arrival(0, { webhookId: 'stranger' }));
        input.arrivals = [...without(input.arrivals, 'e1'), arrival(1, { tenant: 'b', path: '/t/b/main' })];
      }),
    );
    const reasons = Object.fromEntries(report.unexpected.map((u) => [u.webhookId, u.reason]));
    expect(reasons).toEqual({
      e1: 'other tenant',
      e6: 'deleted',
      e7: 'deleted',
      e8: 'deleted',
      e9: 'deleted',
      half: 'not in the rule',
      stranger: 'unknown event',
    });
    expect(report.expected).toBe(5);
  });

  it('counts signatures that do not verify', () => {
    const report = check(
      run((input) => {
        input.arrivals[3] = arrival(3, { signatureValid: false });
      }),
    );
    expect(report.badSignatures).toBe(1);
  });

  it('finds a re-send that reused its attempt number and a history that under-reports attempts', () => {
    const report = check(
      run((input) => {
        input.arrivals = [
          ...without(input.arrivals, 'e5'),
          arrival(5, { status: null, reply: 'hang', success: false }),
          arrival(5, { arrivedAt: at(5) + 9000 }),
        ];
        input.faults = [{ name: 'worker SIGKILL', start: at(5) + 150, end: at(5) + 200 }];
      }),
    );
    expect(report.mismatches.map((m) => m.reason).sort()).toEqual([
      'the event records 1 attempts, the receiver saw 2',
      'x-attempt 1 was sent 2 times',
    ]);
    expect(report.duplicates.total).toBe(0);
  });

  it('finds a database status that disagrees with what the receiver answered', () => {
    const report = check(
      run((input) => {
        input.arrivals = [...without(input.arrivals, 'e1'), arrival(1, { status: 503, success: false })];
        input.events = [...without(input.events, 'e2'), event(2, { status: 'failed' })];
      }),
    );
    expect(report.mismatches).toEqual([
      { webhookId: 'e1', reason: 'the event ended succeeded, the receiver never answered 2xx' },
      { webhookId: 'e2', reason: 'the receiver answered 2xx, the event ended failed' },
    ]);
  });

  it('accepts a final failure only where the intent allows it', () => {
    const refuse = (input: Run) => {
      input.arrivals = input.arrivals.map((a) => ({ ...a, status: 410, success: false }));
      input.events = input.events.map((e) => ({ ...e, status: 'failed' as const }));
    };
    const strict = check(run(refuse));
    expect(strict.lost).toHaveLength(10);
    const either = check(
      run((input) => {
        refuse(input);
        input.schedules = [schedule([created], 'deliver_or_fail')];
      }),
    );
    expect(either).toMatchObject({ expected: 10, delivered: 0, failed: 10, lost: [] });
    const refused = check(
      run((input) => {
        input.schedules = [schedule([created], 'fail')];
      }),
    );
    expect(refused.unexpected).toHaveLength(10);
    expect(refused.unexpected[0]?.reason).toBe('refused by design but succeeded');
  });

  it('finds two events for one occurrence, both delivered', () => {
    const report = check(
      run((input) => {
        input.events.push(event(3, { id: 'twin' }));
        input.arrivals.push(arrival(3, { webhookId: 'twin', arrivedAt: at(3) + 150 }));
      }),
    );
    expect(report.mismatches).toEqual([{ webhookId: 'twin', reason: '2 events for one occurrence' }]);
    expect(report.duplicates).toEqual({ total: 1, unexcused: 1 });
  });

  it('accepts the cancelled copy a change leaves behind when the occurrence is planned again', () => {
    const report = check(
      run((input) => {
        input.events.push(event(3, { id: 'old', status: 'cancelled', attempts: 0 }));
      }),
    );
    expect(report.mismatches).toEqual([]);
    expect(report.delivered).toBe(10);
  });

  it('measures recovery from the end of each fault until the last late delivery, and never when one was lost', () => {
    const late = (input: Run) => {
      for (const i of [2, 3, 4, 5]) {
        input.arrivals = [...without(input.arrivals, `e${i}`), arrival(i, { arrivedAt: at(8) })];
      }
      input.faults = [{ name: 'redis down', start: at(2), end: at(3) }];
    };
    const report = check(run(late));
    expect(report.recovery).toEqual([{ window: 'redis down', ms: 5000 }]);
    expect(report.lateness.late).toBe(3);
    const never = check(
      run((input) => {
        late(input);
        input.arrivals = without(input.arrivals, 'e9');
      }),
    );
    expect(never.recovery).toEqual([{ window: 'redis down', ms: null }]);
  });

  it('flags deliveries of a schedule nobody acknowledged and of manual events nobody triggered', () => {
    const report = check(
      run((input) => {
        input.events.push(event(2, { id: 'orphan', scheduleId: 's9' }));
        input.arrivals.push(arrival(2, { webhookId: 'orphan', scheduleId: 's9' }));
        input.events.push(event(2, { id: 'manual', kind: 'manual' }));
        input.arrivals.push(arrival(2, { webhookId: 'manual' }));
      }),
    );
    expect(report.unexpected.map((u) => [u.webhookId, u.reason])).toEqual([
      ['orphan', 'unacknowledged schedule'],
      ['manual', 'not a rule occurrence'],
    ]);
  });

  it('reports lateness per tenant', () => {
    const report = check(
      run((input) => {
        const other: AcknowledgedSchedule = { ...schedule(), id: 's2', tenant: 'b' };
        input.schedules.push(other);
        input.events.push(...all.map((i) => event(i, { id: `b${i}`, scheduleId: 's2', tenant: 'b' })));
        input.arrivals.push(
          ...all.map((i) =>
            arrival(i, {
              webhookId: `b${i}`,
              scheduleId: 's2',
              tenant: 'b',
              path: '/t/a/main',
              arrivedAt: at(i) + 4000,
            }),
          ),
        );
      }),
    );
    expect(report.latenessByTenant.a).toMatchObject({ count: 10, maxMs: 100, late: 0 });
    expect(report.latenessByTenant.b).toMatchObject({ count: 10, maxMs: 4000, late: 10 });
  });

  it('judges nothing due after the end of observation', () => {
    const report = check(
      run((input) => {
        input.observedUntil = at(4);
        input.arrivals = input.arrivals.filter((a) => a.webhookId < 'e5');
      }),
    );
    expect(report).toMatchObject({ expected: 5, delivered: 5, lost: [], unexpected: [] });
  });
});
