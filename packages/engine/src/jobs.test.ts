import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { DELIVER_JOB, parseBatch } from './jobs.js';
import { encodeOccurrence, eventIdFor, type Occurrence } from './occurrence.js';

const scheduleId = '65a1b2c3d4e5f60718293a4b';
const send: Occurrence = {
  dueAt: 1_900_000_000_000,
  eventId: eventIdFor({ scheduleId, version: 1, occurrenceAt: 1_900_000_000_000, kind: 'rule' }),
  scheduleId,
  version: 1,
  occurrenceAt: 1_900_000_000_000,
  kind: 'rule',
  attempt: 1,
  round: 0,
  roundStart: 0,
  plannedAt: 1_899_999_000_000,
};

describe('parseBatch', () => {
  it('reads the sends of a batch job', () => {
    const job = { id: 'b-1', name: DELIVER_JOB, data: { sends: [encodeOccurrence(send)], taken_at: 5 } };
    expect(parseBatch(job)).toEqual({ sends: [send], takenAt: 5 });
  });

  it('fails for good what can never be delivered', () => {
    const bad = [
      { id: 'x', name: 'other', data: { sends: [encodeOccurrence(send)], taken_at: 5 } },
      { id: 'x', name: DELIVER_JOB, data: { sends: [], taken_at: 5 } },
      { id: 'x', name: DELIVER_JOB, data: { sends: [encodeOccurrence(send)] } },
      { id: 'x', name: DELIVER_JOB, data: { sends: ['not|a|send'], taken_at: 5 } },
      { id: 'x', name: DELIVER_JOB, data: { sends: [encodeOccurrence(send)], taken_at: 5, extra: 1 } },
    ];
    for (const job of bad) expect(() => parseBatch(job)).toThrow(UnrecoverableError);
  });
});
