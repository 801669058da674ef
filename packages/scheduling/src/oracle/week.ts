/**
 * Independent RFC 5545 week numbering (test helper): week 1 is the first week, starting on
 * WKST, with at least four days in the calendar year. Used to justify BYWEEKNO differences.
 */
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const DAY = 86_400_000;

/** Monday-based weekday (0 = MO) of a UTC-midnight date. */
const weekday = (ms: number) => (new Date(ms).getUTCDay() + 6) % 7;

function week1Start(year: number, wkst: number): number {
  const jan1 = Date.UTC(year, 0, 1);
  const back = (weekday(jan1) - wkst + 7) % 7;
  const start = jan1 - back * DAY;
  // The week holding Jan 1 is week 1 only if at least 4 of its days are in the year.
  return 7 - back >= 4 ? start : start + 7 * DAY;
}

/** The (week-numbering year, week number, weeks in that year) of a local date. */
export function weekInfo(y: number, m: number, d: number, wkstName: string) {
  const wkst = DAYS.indexOf(wkstName);
  const date = Date.UTC(y, m - 1, d);
  let year = y + 1;
  while (week1Start(year, wkst) > date) year--;
  const start = week1Start(year, wkst);
  const weeks = Math.round((week1Start(year + 1, wkst) - start) / (7 * DAY));
  return { year, week: Math.floor((date - start) / (7 * DAY)) + 1, weeks, weekday: DAYS[weekday(date)] };
}
