import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileRule } from './compile.js';
import { SchedulingError } from './errors.js';

/**
 * Random rules, valid and not, must never hang: every public call returns (or throws a
 * SchedulingError) within BOUND_MS of CPU time. Seeded so a failure reproduces; override with FUZZ_SEED.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const BOUND_MS = 1500;
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Africa/Casablanca',
];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

// Mostly in-range values (so most rules compile and get expanded), sometimes one step outside.
const list = (min: number, max: number) =>
  fc.uniqueArray(fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 30 }, fc.constant(max + 1), fc.constant(0)), {
    minLength: 1,
    maxLength: 4,
  });
const part = (name: string, arb: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: arb.map((v) => `${name}=${v}`), weight: 1 });

const ruleArb = fc
  .record({
    freq: fc.constantFrom('YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'),
    interval: part('INTERVAL', fc.integer({ min: 0, max: 400 }).map(String)),
    end: fc.oneof(
      part('COUNT', fc.integer({ min: 0, max: 100_000 }).map(String)),
      part(
        'UNTIL',
        fc
          .date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
          .map((d) => `${d.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`),
      ),
    ),
    bySecond: part(
      'BYSECOND',
      list(0, 59).map((v) => v.join(',')),
    ),
    byMinute: part(
      'BYMINUTE',
      list(0, 59).map((v) => v.join(',')),
    ),
    byHour: part(
      'BYHOUR',
      list(0, 23).map((v) => v.join(',')),
    ),
    byDay: part(
      'BYDAY',
      fc
        .uniqueArray(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.constantFrom(...DAYS)), {
          minLength: 1,
          maxLength: 3,
        })
        .map((v) => v.map(([n, d]) => `${n === 0 ? '' : n}${d}`).join(',')),
    ),
    byMonthDay: part(
      'BYMONTHDAY',
      list(-31, 31).map((v) => v.join(',')),
    ),
    byYearDay: part(
      'BYYEARDAY',
      list(-366, 366).map((v) => v.join(',')),
    ),
    byWeekNo: part(
      'BYWEEKNO',
      list(-53, 53).map((v) => v.join(',')),
    ),
    byMonth: part(
      'BYMONTH',
      list(1, 12).map((v) => v.join(',')),
    ),
    bySetPos: part(
      'BYSETPOS',
      list(-6, 6).map((v) => v.join(',')),
    ),
    zone: fc.constantFrom(...ZONES),
    start: fc.date({ min: new Date('2015-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
  })
  .map((r) => {
    const parts = [
      `FREQ=${r.freq}`,
      r.interval,
      r.end,
      r.bySecond,
      r.byMinute,
      r.byHour,
      r.byDay,
      r.byMonthDay,
      r.byYearDay,
      r.byWeekNo,
      r.byMonth,
      r.bySetPos,
    ];
    const dt = r.start.toISOString().replace(/[-:]/g, '').slice(0, 15);
    return `DTSTART;TZID=${r.zone}:${dt}\nRRULE:${parts.filter(Boolean).join(';')}`;
  });

function timed(fn: () => unknown): number {
  // CPU time of this process, not wall time: the bound is about the work a call does, and a
  // machine busy with other processes must not make a bounded call look slow.
  const t0 = process.cpuUsage();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SchedulingError)) throw err;
  }
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1000;
}

describe('fuzz: expansion is bounded', () => {
  it('every call on random rules returns within the bound', () => {
    const now = new Date('2026-11-29T08:00:00Z');
    const stats = { rules: 0, valid: 0, slowest: 0 };
    fc.assert(
      fc.property(ruleArb, (text) => {
        stats.rules++;
        let compiled: ReturnType<typeof compileRule> | undefined;
        const times = [timed(() => (compiled = compileRule({ text, now }, { minIntervalSeconds: 1, maxCallMs: 500 })))];
        if (compiled?.ok) {
          stats.valid++;
          const rule = compiled.rule;
          times.push(timed(() => rule.next(now)));
          times.push(timed(() => rule.between(now, new Date(now.getTime() + 30 * 86_400_000), 200)));
          times.push(timed(() => rule.plan(undefined, now, 100)));
          times.push(timed(() => rule.isExhausted(now)));
        }
        stats.slowest = Math.max(stats.slowest, ...times);
        expect({ text, slow: times.some((t) => t > BOUND_MS) }).toEqual({ text, slow: false });
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`fuzz: ${JSON.stringify(stats)} seed=${SEED}`);
  });
});
