import { type ConformanceCase, series } from './conformance-cases.js';

const H = 3_600_000;
const D = 24 * H;
const at = (time: string, ...dates: string[]) => dates.map((d) => `${d}T${time}Z`);

/** Cases 44-85 of the research note's list (see conformance-cases.ts). */
export const CASES_2: readonly ConformanceCase[] = [
  {
    id: 44,
    text: 'DTSTART;TZID=America/New_York:20251031T013000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: [...at('05:30', '2025-10-31', '2025-11-01', '2025-11-02'), ...at('06:30', '2025-11-03', '2025-11-04')],
  },
  {
    id: 45,
    text: 'DTSTART;TZID=America/New_York:20250309T023000\nRRULE:FREQ=DAILY;COUNT=3',
    expected: ['2025-03-09T07:30Z', ...at('06:30', '2025-03-10', '2025-03-11')],
  },
  {
    id: 46,
    text: 'DTSTART;TZID=America/New_York:20250309T000000\nRRULE:FREQ=HOURLY;COUNT=6',
    expected: series('2025-03-09T05:00Z', 6, H),
  },
  {
    id: 47,
    text: 'DTSTART;TZID=America/New_York:20251102T000000\nRRULE:FREQ=HOURLY;COUNT=6',
    expected: series('2025-11-02T04:00Z', 6, H),
  },
  {
    id: 48,
    text: 'DTSTART;TZID=Europe/London:20250330T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30;COUNT=6',
    expected: series('2025-03-30T00:00Z', 6, H / 2),
  },
  {
    id: 49,
    text: 'DTSTART;TZID=America/New_York:20251102T000000\nRRULE:FREQ=MINUTELY;INTERVAL=30;BYHOUR=0,1,2;COUNT=6',
    expected: at('', '04:00', '04:30', '05:00', '05:30', '07:00', '07:30').map((t) => `2025-11-02T${t.slice(0, 5)}Z`),
  },
  {
    id: 50,
    text: 'DTSTART;TZID=Australia/Lord_Howe:20251003T021500\nRRULE:FREQ=DAILY;COUNT=4',
    expected: [...at('15:45', '2025-10-02', '2025-10-03', '2025-10-04'), '2025-10-05T15:15Z'],
  },
  {
    id: 51,
    text: 'DTSTART;TZID=Pacific/Apia:20111228T090000\nRRULE:FREQ=DAILY;COUNT=5',
    expected: at('19:00', '2011-12-28', '2011-12-29', '2011-12-30', '2011-12-31'),
  },
  {
    id: 52,
    text: 'DTSTART;TZID=America/Sao_Paulo:20181102T000000\nRRULE:FREQ=DAILY;COUNT=4',
    expected: [...at('03:00', '2018-11-02', '2018-11-03', '2018-11-04'), '2018-11-05T02:00Z'],
  },
  {
    id: 53,
    text: 'DTSTART;TZID=Australia/Sydney:20250401T023000\nRRULE:FREQ=DAILY;COUNT=8',
    expected: [...series('2025-03-31T15:30Z', 6, D), ...at('16:30', '2025-04-06', '2025-04-07')],
  },
  {
    id: 54,
    text: 'DTSTART;TZID=Asia/Kolkata:20251125T030000\nRRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=2',
    expected: at('21:30', '2025-11-26', '2025-12-03'),
  },
  {
    id: 55,
    text: 'DTSTART;TZID=Asia/Jerusalem:20230805T123000\nRRULE:FREQ=WEEKLY;UNTIL=20230819T093000Z',
    expected: at('09:30', '2023-08-05', '2023-08-12', '2023-08-19'),
  },
  {
    id: 56,
    text: 'DTSTART;TZID=America/New_York:20251101T013000\nRRULE:FREQ=DAILY;UNTIL=20251102T060000Z',
    expected: at('05:30', '2025-11-01', '2025-11-02'),
  },
  {
    id: 57,
    text: 'DTSTART;TZID=America/New_York:20231114T220000\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE;TZID=America/New_York:20231116T220000',
    expected: at('03:00', '2023-11-15', '2023-11-16', '2023-11-18', '2023-11-19'),
  },
  {
    id: 58,
    text: 'DTSTART;TZID=Europe/Berlin:20250401T090000\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20250402T070000Z',
    expected: at('07:00', '2025-04-01', '2025-04-03', '2025-04-04'),
  },
  {
    id: 59,
    text: 'DTSTART;TZID=America/New_York:20250301T090000\nRRULE:FREQ=WEEKLY;COUNT=3\nRDATE;TZID=Europe/London:20250305T140000',
    expected: [...at('14:00', '2025-03-01', '2025-03-05', '2025-03-08'), '2025-03-15T13:00Z'],
  },
  {
    id: 60,
    text: 'DTSTART;TZID=Europe/Berlin:20250131T233000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6',
    expected: [
      ...at('22:30', '2025-01-31', '2025-02-28'),
      ...at('21:30', '2025-03-31', '2025-04-30', '2025-05-30', '2025-06-30'),
    ],
  },
  {
    id: 61,
    text: 'DTSTART;TZID=Europe/Berlin:20250327T090000\nRRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30;COUNT=5',
    expected: [...at('01:30', '2025-03-28', '2025-03-29', '2025-03-30'), ...at('00:30', '2025-03-31', '2025-04-01')],
  },
  {
    id: 62,
    text: 'DTSTART;TZID=Europe/Berlin:20250330T023000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3',
    expected: at('01:30', '2025-03-30', '2026-03-29', '2027-03-28'),
  },
  {
    id: 63,
    text: 'DTSTART;TZID=Europe/Helsinki:20200102T020000\nRRULE:FREQ=DAILY',
    window: ['2030-01-01T00:00Z', '2030-01-08T00:00Z'],
    expected: series('2030-01-01T00:00Z', 8, D),
    maxMs: 100,
  },
  {
    id: 64,
    text: 'DTSTART:20180402T064000Z\nRRULE:FREQ=MINUTELY;INTERVAL=1;BYSECOND=0',
    window: ['2020-04-02T14:40Z', '2020-04-02T14:50Z'],
    expected: series('2020-04-02T14:40Z', 11, 60_000),
    maxMs: 100,
  },
  {
    id: 65,
    text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=SECONDLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0',
    expected: at('09:00', '2025-01-06', '2025-01-13'),
  },
  {
    id: 66,
    text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=13;BYDAY=FR;BYHOUR=9;BYMINUTE=0',
    expected: at('09:00', '2026-02-13', '2032-02-13'),
  },
  {
    id: 67,
    text: 'DTSTART:20250101T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
    error: 'NO_OCCURRENCE',
    maxMs: 100,
  },
  {
    id: 68,
    text: 'DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=6',
    expected: at('08:00', '2025-01-03', '2025-01-13', '2025-01-17', '2025-01-27', '2025-01-31', '2025-02-10'),
  },
  {
    id: 69,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=5;UNTIL=20250102T090000Z',
    error: 'COUNT_WITH_UNTIL',
  },
  { id: 70, text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=24', error: 'OUT_OF_RANGE' },
  { id: 71, text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=0', error: 'OUT_OF_RANGE' },
  { id: 72, text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYEASTER=0', error: 'UNKNOWN_PART' },
  { id: 73, text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;X-FOO=1', error: 'UNKNOWN_PART' },
  {
    id: 74,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=2\nRRULE:FREQ=DAILY;BYHOUR=12;COUNT=2',
    error: 'MULTIPLE_RRULE',
  },
  { id: 75, text: 'DTSTART;TZID=Europe/Nowhere:20250101T090000\nRRULE:FREQ=DAILY', error: 'UNKNOWN_TZID' },
  {
    id: 76,
    text: 'DTSTART;TZID=europe/berlin:20250101T090000\nRRULE:FREQ=DAILY;COUNT=2',
    expected: at('08:00', '2025-01-01', '2025-01-02'),
    canonical: /^DTSTART;TZID=Europe\/Berlin:20250101T090000\n/,
  },
  { id: 77, text: 'DTSTART;TZID=Europe/Berlin:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=2', error: 'TZID_WITH_Z' },
  {
    id: 78,
    text: 'DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=DAILY;UNTIL=20250102T090000',
    expected: at('08:00', '2025-01-01', '2025-01-02'),
    canonical: /UNTIL=20250102T080000Z/,
  },
  {
    id: 79,
    text: 'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20250102',
    expected: at('09:00', '2025-01-01', '2025-01-02'),
  },
  {
    id: 80,
    text: 'DTSTART;VALUE=DATE:20250101\nRRULE:FREQ=DAILY;COUNT=2',
    timezone: 'Europe/Berlin',
    expected: ['2024-12-31T23:00Z', '2025-01-01T23:00Z'],
  },
  {
    id: 81,
    text: 'DTSTART:20250101T090000\nRRULE:FREQ=DAILY;COUNT=2',
    timezone: 'America/New_York',
    expected: at('14:00', '2025-01-01', '2025-01-02'),
  },
  {
    id: 82,
    text: 'FREQ=DAILY',
    timezone: 'UTC',
    now: '2026-03-01T10:20:30.789Z',
    expected: ['2026-03-02T10:20:30Z'],
    canonical: /^DTSTART:20260301T102030Z\nRRULE:FREQ=DAILY$/,
  },
  {
    id: 83,
    text: 'DTSTART:20250101T090000Z\r\nRRULE:FREQ=DAILY;COUNT=2;',
    expected: at('09:00', '2025-01-01', '2025-01-02'),
  },
  {
    id: 84,
    text: 'DTSTART;TZID=Etc/GMT+5:20250309T023000\nRRULE:FREQ=DAILY;COUNT=2',
    expected: at('07:30', '2025-03-09', '2025-03-10'),
  },
];
