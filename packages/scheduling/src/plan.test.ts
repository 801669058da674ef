import { describe, expect, it } from '@jest/globals';
import { type CompiledRule, compileRule } from './compile.js';
import type { Cursor } from './plan.js';
import { tzdataVersion } from './zone.js';

const now = new Date('2026-11-29T08:00:00Z');
function compile(text: string): CompiledRule {
  const r = compileRule({ text, now }, { minIntervalSeconds: 60 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rule;
}
const iso = (d: { at: Date }) => d.at.toISOString();
const HOUR = 3_600_000;

describe('plan with a cursor', () => {
  it('honours COUNT across windows and counts EXDATEd instances', () => {
    const rule = compile(
      'DTSTART;TZID=Europe/Berlin:20250328T023000\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE:20250329T013000Z',
    );
    let cursor: Cursor | undefined;
    const seen: string[] = [];
    for (let day = 0; day < 10; day++) {
      const r = rule.plan(cursor, new Date(Date.UTC(2025, 2, 28 + day, 12)), 10);
      seen.push(...r.occurrences.map(iso));
      cursor = r.cursor;
      if (day === 1) expect(r.cursor.count).toBe(2);
    }
    expect(seen).toEqual([
      '2025-03-28T01:30:00.000Z',
      '2025-03-30T01:30:00.000Z',
      '2025-03-31T00:30:00.000Z',
      '2025-04-01T00:30:00.000Z',
    ]);
    expect(cursor).toEqual({ last_at: '2025-04-01T00:30:00.000Z', count: 5, anchor: '20250401T023000' });
    expect(rule.plan(cursor, new Date('2030-01-01T00:00:00Z'), 10)).toMatchObject({ occurrences: [], exhausted: true });
  });

  it('resumes after a limit without losing or repeating occurrences', () => {
    const rule = compile(
      'DTSTART;TZID=America/New_York:20251101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30;BYHOUR=0,1,2;COUNT=40',
    );
    const all = rule
      .between(new Date('2025-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'), 100)
      .map((d) => d.toISOString());
    let cursor: Cursor | undefined;
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = rule.plan(cursor, new Date('2026-01-01T00:00:00Z'), 3);
      seen.push(...r.occurrences.map(iso));
      cursor = r.cursor;
      if (r.exhausted) break;
    }
    expect(seen).toEqual(all);
    expect(all.length).toBeLessThanOrEqual(40);
  });

  it('keeps the work per call small for an old COUNT rule (no re-walk from DTSTART)', () => {
    const rule = compile('DTSTART;TZID=Europe/Berlin:20000101T090000\nRRULE:FREQ=DAILY;BYHOUR=9,12,15,18;COUNT=200000');
    // Walk to 2026 once, in big steps, as a planner would over time.
    let cursor: Cursor | undefined;
    const upTo = new Date('2026-12-31T23:00:00Z');
    for (let i = 0; i < 100 && cursor?.last_at !== '2026-12-31T17:00:00.000Z'; i++)
      cursor = rule.plan(cursor, upTo, 1000).cursor;
    const t0 = performance.now();
    const r = rule.plan(cursor, new Date('2027-01-01T12:00:00Z'), 1000);
    const ms = performance.now() - t0;
    expect(r.occurrences.map(iso)).toEqual(['2027-01-01T08:00:00.000Z', '2027-01-01T11:00:00.000Z']);
    expect(r.cursor.count).toBe(4 * (365 * 27 + 7) + 2);
    expect(ms).toBeLessThan(200);
  });

  it('fires elapsed-time rules through DST without re-walking', () => {
    const rule = compile('DTSTART;TZID=America/New_York:20251102T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30');
    const r = rule.plan(
      { last_at: '2025-11-02T05:30:00.000Z', count: 4, anchor: '20251102T053000' },
      new Date('2025-11-02T07:00:00Z'),
      10,
    );
    expect(r.occurrences.map(iso)).toEqual([
      '2025-11-02T06:00:00.000Z',
      '2025-11-02T06:30:00.000Z',
      '2025-11-02T07:00:00.000Z',
    ]);
    expect(r.cursor.count).toBe(7);
  });

  it('starts from DTSTART (RDATEs before it included) without a cursor', () => {
    const rule = compile('DTSTART:20250105T090000Z\nRRULE:FREQ=DAILY;COUNT=2\nRDATE:20250101T120000Z');
    const r = rule.plan(undefined, new Date('2025-02-01T00:00:00Z'), 10);
    expect(r.occurrences.map((o) => [iso(o), o.source])).toEqual([
      ['2025-01-01T12:00:00.000Z', 'rdate'],
      ['2025-01-05T09:00:00.000Z', 'rule'],
      ['2025-01-06T09:00:00.000Z', 'rule'],
    ]);
    expect(r.exhausted).toBe(true);
  });
});

describe('next, isExhausted, describe', () => {
  it('answers next and isExhausted on instants', () => {
    const rule = compile('DTSTART;TZID=Asia/Jerusalem:20230805T123000\nRRULE:FREQ=WEEKLY;UNTIL=20230819T093000Z');
    expect(rule.next(new Date('2023-08-12T09:30:00Z'))?.toISOString()).toBe('2023-08-19T09:30:00.000Z');
    expect(rule.next(new Date('2023-08-19T09:30:00Z'))).toBeNull();
    expect(rule.isExhausted(new Date('2023-08-19T09:29:59Z'))).toBe(false);
    expect(rule.isExhausted(new Date('2023-08-19T09:30:00Z'))).toBe(true);
    expect(compile('FREQ=DAILY').isExhausted(new Date('2090-01-01T00:00:00Z'))).toBe(false);
  });

  it('describes gap shifts and folds with local time and offset', () => {
    const gap = compile('DTSTART;TZID=Europe/Berlin:20250329T023000\nRRULE:FREQ=DAILY;COUNT=3');
    expect(gap.describe(new Date('2025-03-01T00:00:00Z'), new Date('2025-04-01T00:00:00Z'))).toEqual([
      { at: '2025-03-29T01:30:00.000Z', local: '2025-03-29T02:30:00', offset: '+01:00', dst: null, source: 'rule' },
      {
        at: '2025-03-30T01:30:00.000Z',
        local: '2025-03-30T03:30:00',
        offset: '+02:00',
        dst: 'gap_shifted',
        source: 'rule',
      },
      { at: '2025-03-31T00:30:00.000Z', local: '2025-03-31T02:30:00', offset: '+02:00', dst: null, source: 'rule' },
    ]);
    const fold = compile('DTSTART;TZID=Australia/Lord_Howe:20250405T013000\nRRULE:FREQ=DAILY;COUNT=2');
    expect(fold.describe(new Date('2025-04-01T00:00:00Z'), new Date('2025-05-01T00:00:00Z'))[1]).toEqual({
      at: '2025-04-05T14:30:00.000Z',
      local: '2025-04-06T01:30:00',
      offset: '+11:00',
      dst: 'fold',
      source: 'rule',
    });
  });

  it('caps results at maxOccurrencesPerCall', () => {
    const r = compileRule({ text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=HOURLY', now }, { maxOccurrencesPerCall: 5 });
    if (!r.ok) throw new Error('compile');
    expect(r.rule.between(new Date('2025-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'), 100)).toHaveLength(5);
    expect(r.rule.between(new Date('2025-01-01T00:00:00Z'), new Date(Date.UTC(2025, 0, 1) + 2 * HOUR))).toHaveLength(3);
  });

  it('exposes the runtime tzdata version', () => {
    expect(tzdataVersion()).toMatch(/^\d{4}[a-z]$/);
  });
});
