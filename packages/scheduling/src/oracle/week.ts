/**
 * Independent RFC 5545 week numbering (test helper): week 1 is the first week, starting on
 * WKST, with at least four days in the calendar year. Used to justify BYWEEKNO differences
 * with python-dateutil, which misnumbers the weeks that straddle two years (`lnumweeks` in
 * dateutil/rrule.py, cf. dateutil PR #1537, and its "TODO: Check -numweeks for next year").
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

export interface WeekRule {
  readonly byWeekNo: readonly number[];
  readonly byDay?: readonly string[];
  readonly wkst: string;
}

/**
 * For a local date: whether it lies in a week shared by two calendar years (where dateutil's
 * reading goes wrong), and whether the rule selects it under the independent week count.
 */
export function weekVerdict(localDate: string, rule: WeekRule): { edge: boolean; selected: boolean } {
  const [y, m, d] = localDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  const info = weekInfo(y, m, d, rule.wkst);
  const listed = rule.byWeekNo.some((w) => w === info.week || w === info.week - info.weeks - 1);
  const onDay = !rule.byDay || rule.byDay.length === 0 || rule.byDay.includes(info.weekday ?? '');
  return { edge: info.year !== y, selected: listed && onDay };
}

/** BYWEEKNO / BYDAY / WKST of an RRULE value, or undefined without BYWEEKNO. */
export function weekRule(rrule: string): WeekRule | undefined {
  const parts = Object.fromEntries(rrule.split(';').map((p) => p.split('=') as [string, string]));
  if (!parts.BYWEEKNO) return undefined;
  return {
    byWeekNo: parts.BYWEEKNO.split(',').map(Number),
    byDay: parts.BYDAY?.split(','),
    wkst: parts.WKST ?? 'MO',
  };
}
