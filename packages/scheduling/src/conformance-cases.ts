/**
 * The 85-case conformance list from the time-and-rrule research note (§9), with expected UTC
 * instants under our semantics (shift forward in gaps, first instant in folds, elapsed time for
 * sub-daily interval rules). Instants are written `YYYY-MM-DDTHH:MM[:SS]Z`.
 */
export interface ConformanceCase {
  readonly id: number;
  readonly text: string;
  readonly timezone?: string;
  /** Expected instants (first `expected.length` occurrences, or all in `window`). */
  readonly expected?: readonly string[];
  /** Expected rejection code. */
  readonly error?: string;
  readonly window?: readonly [string, string];
  readonly now?: string;
  readonly canonical?: RegExp;
  readonly minIntervalSeconds?: number;
  readonly maxMs?: number;
}

/** `n` instants `stepHours` apart from `start`. */
export function series(start: string, n: number, stepMs: number): string[] {
  const t0 = Date.parse(start);
  return Array.from({ length: n }, (_, i) => new Date(t0 + i * stepMs).toISOString());
}
const H = 3_600_000;
const D = 24 * H;
const at = (time: string, ...dates: string[]) => dates.map((d) => `${d}T${time}Z`);

export const CASES: readonly ConformanceCase[] = [
  {
    id: 1,
    text: 'DTSTART;TZID=America/New_York:19970902T090000\nRRULE:FREQ=DAILY;COUNT=10',
    expected: series('1997-09-02T13:00Z', 10, D),
  },
  {
    id: 2,
    text: 'DTSTART;TZID=America/New_York:19970905T090000\nRRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR',
    expected: [
      ...at('13:00', '1997-09-05', '1997-10-03'),
      ...at('14:00', '1997-11-07', '1997-12-05', '1998-01-02', '1998-02-06', '1998-03-06', '1998-04-03'),
      ...at('13:00', '1998-05-01', '1998-06-05'),
    ],
  },
  {
    id: 3,
    text: 'DTSTART;TZID=America/New_York:19970902T090000\nRRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH',
    expected: at(
      '13:00',
      ...['09-02', '09-04', '09-09', '09-11', '09-16', '09-18', '09-23', '09-25', '09-30', '10-02'].map(
        (d) => `1997-${d}`,
      ),
    ),
  },
  {
    id: 4,
    text: 'DTSTART;TZID=America/New_York:19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO',
    expected: at('13:00', '1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24'),
  },
  {
    id: 5,
    text: 'DTSTART;TZID=America/New_York:19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU',
    expected: at('13:00', '1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31'),
  },
  {
    id: 6,
    text: 'DTSTART;TZID=America/New_York:19961105T090000\nRRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8;COUNT=3',
    expected: at('14:00', '1996-11-05', '2000-11-07', '2004-11-02'),
  },
  {
    id: 7,
    text: 'DTSTART:20250131T090000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6',
    expected: at('09:00', '2025-01-31', '2025-03-31', '2025-05-31', '2025-07-31', '2025-08-31', '2025-10-31'),
  },
  {
    id: 8,
    text: 'DTSTART:20250131T090000Z\nRRULE:FREQ=MONTHLY;COUNT=6',
    expected: at('09:00', '2025-01-31', '2025-03-31', '2025-05-31', '2025-07-31', '2025-08-31', '2025-10-31'),
  },
  {
    id: 9,
    text: 'DTSTART:20240229T120000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3',
    expected: at('12:00', '2024-02-29', '2028-02-29', '2032-02-29'),
  },
  {
    id: 10,
    text: 'DTSTART:20240229T120000Z\nRRULE:FREQ=YEARLY;COUNT=3',
    expected: at('12:00', '2024-02-29', '2028-02-29', '2032-02-29'),
  },
  {
    id: 11,
    text: 'DTSTART:20250101T170000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6',
    expected: at('17:00', '2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-30', '2025-06-30'),
  },
  {
    id: 12,
    text: 'DTSTART:20250101T170000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1;COUNT=6',
    expected: at('17:00', '2025-01-01', '2025-02-03', '2025-03-03', '2025-04-01', '2025-05-01', '2025-06-02'),
  },
  {
    id: 13,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1;COUNT=6',
    expected: at('09:00', '2025-01-30', '2025-02-28', '2025-03-30', '2025-04-30', '2025-05-30', '2025-06-30'),
  },
  {
    id: 14,
    text: 'DTSTART:20100101T000000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=20,31;BYSETPOS=-2;COUNT=6',
    expected: at('00:00', '2010-01-20', '2010-03-20', '2010-05-20', '2010-07-20', '2010-08-20', '2010-10-20'),
  },
  {
    id: 15,
    text: 'DTSTART:20241110T000000Z\nRRULE:FREQ=WEEKLY;WKST=WE;BYSETPOS=1;BYDAY=MO,TU,WE;COUNT=3',
    expected: at('00:00', '2024-11-13', '2024-11-20', '2024-11-27'),
  },
  {
    id: 16,
    text: 'DTSTART:20250115T080000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5',
    expected: at('08:00', '2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31'),
  },
  {
    id: 17,
    text: 'DTSTART:20250101T080000Z\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=5',
    expected: at('08:00', '2025-01-31', '2025-02-28', '2025-03-28', '2025-04-25', '2025-05-30'),
  },
  {
    id: 18,
    text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=4',
    expected: at('00:00', '2025-06-13', '2026-02-13', '2026-03-13', '2026-11-13'),
  },
  {
    id: 19,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=5',
    expected: at('09:00', '2025-12-29', '2027-01-04', '2028-01-03', '2029-01-01', '2029-12-31'),
  },
  {
    id: 20,
    text: 'DTSTART:20200101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;COUNT=3',
    expected: at('09:00', '2020-12-31', '2026-12-31', '2032-12-30'),
  },
  {
    id: 21,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=-1;BYDAY=SU;COUNT=4',
    expected: at('09:00', '2025-12-28', '2027-01-03', '2028-01-02', '2028-12-31'),
  },
  {
    id: 22,
    // DTSTART (Sat 2011-01-01) lies in week 52 of 2010 and matches the rule, so it is the first
    // occurrence (RFC 5545; issue 16). dateutil 2.8.2, rrule.js and rrule-temporal drop it and
    // the next day; dateutil PR #1537 fixes this.
    text: 'DTSTART:20110101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=52;BYDAY=SA,SU;COUNT=4',
    expected: at('09:00', '2011-01-01', '2011-01-02', '2011-12-31', '2012-01-01'),
  },
  {
    id: 23,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYYEARDAY=1,100,200,-1;COUNT=8',
    expected: at(
      '09:00',
      '2025-01-01',
      '2025-04-10',
      '2025-07-19',
      '2025-12-31',
      '2026-01-01',
      '2026-04-10',
      '2026-07-19',
      '2026-12-31',
    ),
  },
  {
    id: 24,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYYEARDAY=366;COUNT=2',
    expected: at('09:00', '2028-12-31', '2032-12-31'),
  },
  {
    id: 25,
    text: 'DTSTART:20250101T080000Z\nRRULE:FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;COUNT=8',
    expected: ['09:00', '09:30', '17:00', '17:30']
      .flatMap((t) => [`2025-01-01T${t}Z`])
      .concat(['09:00', '09:30', '17:00', '17:30'].map((t) => `2025-01-02T${t}Z`)),
  },
  {
    id: 26,
    text: 'DTSTART:20250106T090000Z\nRRULE:FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10;COUNT=10',
    expected: [...series('2025-01-06T09:00Z', 8, 15 * 60_000), '2025-01-07T09:00Z', '2025-01-07T09:15Z'],
  },
  {
    id: 27,
    text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30;COUNT=5',
    expected: series('2025-01-01T00:00Z', 5, 30_000),
    minIntervalSeconds: 30,
  },
  {
    id: 28,
    text: 'DTSTART:20250515T111412\nRRULE:FREQ=HOURLY;UNTIL=20250516T111412;INTERVAL=2;BYHOUR=18',
    timezone: 'UTC',
    error: 'NO_OCCURRENCE',
    maxMs: 100,
  },
  {
    id: 29,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3',
    expected: at('09:00', '2025-01-06', '2025-01-13', '2025-01-20'),
  },
  {
    id: 30,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE:20250102T090000Z,20250104T090000Z',
    expected: at('09:00', '2025-01-01', '2025-01-03', '2025-01-05'),
  },
  {
    id: 31,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20250102T100000Z',
    expected: at('09:00', '2025-01-01', '2025-01-02', '2025-01-03'),
  },
  {
    id: 32,
    text: 'DTSTART:20250105T090000Z\nRRULE:FREQ=DAILY;COUNT=3\nRDATE:20250106T090000Z,20250101T120000Z',
    expected: ['2025-01-01T12:00Z', ...at('09:00', '2025-01-05', '2025-01-06', '2025-01-07')],
  },
  {
    id: 33,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20250105T090000Z',
    expected: series('2025-01-01T09:00Z', 5, D),
  },
  {
    id: 34,
    text: 'DTSTART;VALUE=DATE:20250101\nRRULE:FREQ=WEEKLY;COUNT=3',
    timezone: 'UTC',
    expected: at('00:00', '2025-01-01', '2025-01-08', '2025-01-15'),
  },
  {
    id: 35,
    text: 'DTSTART:20250101T090000\nRRULE:FREQ=DAILY;COUNT=3',
    timezone: 'UTC',
    expected: series('2025-01-01T09:00Z', 3, D),
  },
  { id: 36, text: 'DTSTART:20250101T090000Z\nfreq=daily;count=3', expected: series('2025-01-01T09:00Z', 3, D) },
  { id: 37, text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=0;COUNT=3', error: 'OUT_OF_RANGE' },
  {
    id: 38,
    text: 'DTSTART;TZID=Europe/Berlin:20250301T023000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: series('2025-03-01T01:30Z', 5, D),
  },
  {
    id: 39,
    text: 'DTSTART;TZID=Europe/Berlin:20250328T023000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: [...at('01:30', '2025-03-28', '2025-03-29', '2025-03-30'), ...at('00:30', '2025-03-31', '2025-04-01')],
  },
  {
    id: 40,
    text: 'DTSTART;TZID=Europe/Berlin:20250328T013000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: [...at('00:30', '2025-03-28', '2025-03-29', '2025-03-30'), ...at('23:30', '2025-03-30', '2025-03-31')],
  },
  {
    id: 41,
    text: 'DTSTART;TZID=Europe/Berlin:20251024T023000\nRRULE:FREQ=DAILY;COUNT=4',
    expected: [...at('00:30', '2025-10-24', '2025-10-25', '2025-10-26'), '2025-10-27T01:30Z'],
  },
  {
    id: 42,
    text: 'DTSTART;TZID=America/New_York:20250307T023000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: [...at('07:30', '2025-03-07', '2025-03-08', '2025-03-09'), ...at('06:30', '2025-03-10', '2025-03-11')],
  },
  {
    id: 43,
    text: 'DTSTART;TZID=America/New_York:20250307T043000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: [...at('09:30', '2025-03-07', '2025-03-08'), ...at('08:30', '2025-03-09', '2025-03-10', '2025-03-11')],
  },
];
