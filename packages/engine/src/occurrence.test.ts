import { describe, expect, it } from '@jest/globals';
import { decodeOccurrence, encodeOccurrence, eventIdFor, type Occurrence, retryOf, triesBefore } from './occurrence.js';

const scheduleId = '65a1b2c3d4e5f60718293a4b';
const at = Date.parse('2030-03-31T01:30:00Z');
const send: Occurrence = {
  dueAt: at,
  eventId: eventIdFor({ scheduleId, version: 3, occurrenceAt: at, kind: 'rule' }),
  scheduleId,
  version: 3,
  occurrenceAt: at,
  kind: 'rule',
  attempt: 1,
  round: 0,
  roundStart: 0,
  plannedAt: at - 600_000,
};

describe('eventIdFor', () => {
  it('is an ObjectId whose timestamp is the occurrence second', () => {
    expect(send.eventId).toMatch(/^[0-9a-f]{24}$/);
    expect(Number.parseInt(send.eventId.slice(0, 8), 16)).toBe(at / 1000);
  });
  it('gives the same occurrence the same id, whoever plans it', () => {
    expect(eventIdFor({ scheduleId, version: 3, occurrenceAt: at, kind: 'rule' })).toBe(send.eventId);
  });
  it('gives a rule occurrence re-planned under a new version a new id', () => {
    expect(eventIdFor({ scheduleId, version: 4, occurrenceAt: at, kind: 'rule' })).not.toBe(send.eventId);
  });
  it('ties manual triggers and backfills to the instant, not the version', () => {
    const manual = (version: number) => eventIdFor({ scheduleId, version, occurrenceAt: at, kind: 'manual' });
    expect(manual(3)).toBe(manual(4));
    expect(manual(3)).not.toBe(send.eventId);
    expect(eventIdFor({ scheduleId, version: 3, occurrenceAt: at, kind: 'backfill' })).not.toBe(manual(3));
  });
});

describe('the timeline member', () => {
  it('round-trips every field', () => {
    for (const kind of ['rule', 'manual', 'backfill'] as const) {
      const s = { ...send, kind, attempt: 4, round: 2, roundStart: 3 };
      expect(decodeOccurrence(encodeOccurrence(s))).toEqual(s);
    }
  });
  it('starts with the due instant, which the Lua scripts read back as the score', () => {
    expect(encodeOccurrence(send).split('|')[0]).toBe(String(at));
  });
  it('rejects what is not a member', () => {
    const good = encodeOccurrence(send).split('|');
    const bad = (i: number, value: string) => good.map((p, j) => (j === i ? value : p)).join('|');
    for (const text of [
      '',
      'x',
      `${encodeOccurrence(send)}|extra`,
      bad(1, 'zz'),
      bad(3, '0'),
      bad(5, 'q'),
      bad(6, '0'),
      bad(0, '-1'),
      bad(0, '1.5'),
    ])
      expect(decodeOccurrence(text)).toBeNull();
  });
});

describe('retries', () => {
  it('a retry is the next attempt of the same event', () => {
    const next = retryOf(send, at + 5000);
    expect(next).toEqual({ ...send, dueAt: at + 5000, attempt: 2 });
    expect(encodeOccurrence(next)).not.toBe(encodeOccurrence(send));
  });
  it('counts the tries of the current round only', () => {
    expect(triesBefore(send)).toBe(0);
    expect(triesBefore({ attempt: 5, roundStart: 3 })).toBe(1);
  });
});
