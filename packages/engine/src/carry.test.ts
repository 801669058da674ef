import type { Attempt, StatusChange } from '@event-scheduler/models';
import { describe, expect, it } from '@jest/globals';
import { encodeCarry, eventFromCarry } from './carry.js';
import { eventIdFor, type Occurrence } from './occurrence.js';

const scheduleId = '65a1b2c3d4e5f60718293a4b';
const at = Date.parse('2030-03-31T01:30:00Z');
const retry: Occurrence = {
  dueAt: at + 2000,
  eventId: eventIdFor({ scheduleId, version: 3, occurrenceAt: at, kind: 'rule' }),
  scheduleId,
  version: 3,
  occurrenceAt: at,
  kind: 'rule',
  attempt: 2,
  round: 0,
  roundStart: 0,
  plannedAt: at - 600_000,
};
const history: StatusChange[] = [
  { time: new Date(at - 600_000), status: 'scheduled', message: 'planned by the prequeuer' },
  { time: new Date(at - 900), status: 'dispatched', message: 'released to a worker' },
  { time: new Date(at + 1), status: 'delivering', message: 'attempt 1' },
  { time: new Date(at + 40), status: 'retry_scheduled', message: 'HTTP 500; retry in 2 s' },
];
const attempts: Attempt[] = [
  {
    number: 1,
    started_at: new Date(at + 1),
    duration_ms: 39,
    status_code: 500,
    error_kind: 'http_status',
    error_message: 'HTTP 500',
    response_snippet: 'boom',
  },
];

describe('what a retry carries to its attempt', () => {
  it('gives back the live event as recorded: history and attempts, with their dates', () => {
    const event = eventFromCarry(retry, 'tenant-1', encodeCarry({ history, attempts }));
    expect(event).toMatchObject({
      tenant_id: 'tenant-1',
      status: 'retry_scheduled',
      history,
      attempts,
      next_attempt_at: new Date(retry.dueAt),
      created_at: new Date(retry.plannedAt),
    });
    expect(event?._id.toHexString()).toBe(retry.eventId);
    expect(event?.history[0]?.time).toBeInstanceOf(Date);
    expect(event?.attempts[0]?.started_at).toBeInstanceOf(Date);
  });

  it('is not used for another attempt than the one it was written for, nor when missing or garbled', () => {
    const text = encodeCarry({ history, attempts });
    // Reconciliation recorded a lost attempt since: the send is attempt 3, the carry knows of one.
    expect(eventFromCarry({ ...retry, attempt: 3 }, 'tenant-1', text)).toBeNull();
    expect(eventFromCarry(retry, 'tenant-1', null)).toBeNull();
    expect(eventFromCarry(retry, 'tenant-1', '{"history":')).toBeNull();
    expect(eventFromCarry(retry, 'tenant-1', '{"attempts":[]}')).toBeNull();
  });
});
