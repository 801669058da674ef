import type { Anchor, Budget, EngineSpec, Entry, Visit } from './engine.js';
import type { Recur, Weekday } from './recur.js';
import { WEEKDAYS } from './recur.js';
import { DAY, HOUR, MINUTE, SECOND, type WallMs } from './wall.js';

/**
 * Our own YEARLY expansion, used instead of rrule-temporal 2.2.8 for the rules it reads
 * differently from RFC 5545 (and from python-dateutil):
 * - an ordinal weekday beyond the year (`BYDAY=53MO` in a year with 52 Mondays) spilled into the
 *   next year instead of being ignored (RFC 5545 §3.3.10: invalid instances MUST be ignored);
 * - BYDAY did not limit BYYEARDAY (RFC table: BYDAY limits when BYYEARDAY is present);
 * - with BYWEEKNO, a DTSTART in the previous ISO year's last week was dropped.
 *
 * The period is the calendar year (as in python-dateutil): it holds every day of that year that
 * passes all BY filters. A day's week number is the RFC one of the week-numbering year it belongs
 * to (week 1 has at least four days of its year, weeks start on WKST), so the first days of
 * January can be in the previous year's last week (-1) and the last days of December in week 1.
 * BYSETPOS picks from the whole period; instances before DTSTART are then cut and not counted.
 */

/** Whether a rule takes this path (the shapes above); everything else stays on rrule-temporal. */
export function usesOwnYearly(r: Recur): boolean {
  if (r.freq !== 'YEARLY') return false;
  return r.byWeekNo !== undefined || r.byYearDay !== undefined || (r.byMonth === undefined && hasOrdinal(r));
}

const hasOrdinal = (r: Recur) => r.byDay?.some((d) => d.n !== 0) ?? false;
const WEEK = 7 * DAY;
/** Monday-based weekday (0 = MO) of a wall time; 1970-01-01 was a Thursday. */
const weekday = (wall: WallMs) => (((Math.floor(wall / DAY) + 3) % 7) + 7) % 7;

function yearStart(year: number): WallMs {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1); // keeps years 0-99 literal, unlike Date.UTC
  return d.getTime();
}
const yearOf = (wall: WallMs) => new Date(wall).getUTCFullYear();

/** First day of week 1 of `year`: the WKST week holding at least four days of the year. */
function week1Start(year: number, wkst: number): WallMs {
  const jan1 = yearStart(year);
  const back = (weekday(jan1) - wkst + 7) % 7;
  return jan1 - back * DAY + (7 - back >= 4 ? 0 : WEEK);
}

/** The rule's BY parts as lookups, built once per scan. */
interface Filters {
  readonly months?: ReadonlySet<number>;
  readonly monthDays?: ReadonlySet<number>;
  readonly yearDays?: ReadonlySet<number>;
  readonly weeks?: ReadonlySet<number>;
  /** Plain weekdays (0 = MO), or undefined when BYDAY does not filter. */
  readonly weekdays?: ReadonlySet<number>;
  /** Ordinals per weekday, counted in the year, or in the month when BYMONTH is given. */
  readonly ordinals?: ReadonlyMap<number, ReadonlySet<number>>;
  readonly wkst: number;
  /** Times of day (ms since midnight), ascending. */
  readonly times: readonly number[];
}

const set = (values: readonly number[] | undefined) => (values ? new Set(values) : undefined);
const dayIndex = (day: Weekday) => WEEKDAYS.indexOf(day);

function buildFilters(spec: EngineSpec): Filters {
  const r = spec.recur;
  const start = new Date(spec.dtstartWall);
  const plain = r.byDay?.filter((d) => d.n === 0).map((d) => dayIndex(d.day));
  const ordinals = new Map<number, Set<number>>();
  for (const d of r.byDay ?? []) {
    if (d.n !== 0) ordinals.set(dayIndex(d.day), (ordinals.get(dayIndex(d.day)) ?? new Set()).add(d.n));
  }
  // BYWEEKNO without BYDAY keeps DTSTART's weekday (RFC: what the rule leaves open comes from DTSTART).
  const weekdays = r.byDay ? new Set(plain) : r.byWeekNo ? new Set([weekday(spec.dtstartWall)]) : undefined;
  const times: number[] = [];
  for (const h of r.byHour ?? [start.getUTCHours()]) {
    for (const m of r.byMinute ?? [start.getUTCMinutes()]) {
      for (const s of r.bySecond ?? [start.getUTCSeconds()]) times.push(h * HOUR + m * MINUTE + s * SECOND);
    }
  }
  return {
    months: set(r.byMonth),
    monthDays: set(r.byMonthDay),
    yearDays: set(r.byYearDay),
    weeks: set(r.byWeekNo),
    weekdays,
    ordinals: ordinals.size > 0 ? ordinals : undefined,
    wkst: dayIndex(r.wkst ?? 'MO'),
    times: [...new Set(times)].sort((a, b) => a - b),
  };
}

const listed = (values: ReadonlySet<number> | undefined, forward: number, backward: number) =>
  values === undefined || values.has(forward) || values.has(backward);

/** Week number test for a day of the calendar year `year`, in its own week-numbering year. */
function weekTester(year: number, wkst: number, weeks: ReadonlySet<number>) {
  const starts = [year - 1, year, year + 1, year + 2].map((y) => week1Start(y, wkst));
  return (day: WallMs) => {
    const i = day < (starts[1] as number) ? 0 : day < (starts[2] as number) ? 1 : 2;
    const from = starts[i] as number;
    const count = ((starts[i + 1] as number) - from) / WEEK;
    const week = Math.floor((day - from) / WEEK) + 1;
    return weeks.has(week) || weeks.has(week - count - 1);
  };
}

/** Matching days (wall midnight) of one calendar year, ascending. */
function daysOfYear(year: number, f: Filters): WallMs[] {
  const start = yearStart(year);
  const yearLength = Math.round((yearStart(year + 1) - start) / DAY);
  const inWeek = f.weeks ? weekTester(year, f.wkst, f.weeks) : undefined;
  const out: WallMs[] = [];
  let i = 0;
  for (let month = 1; month <= 12; month++) {
    const monthLength = new Date(Date.UTC(2001, month, 0)).getUTCDate() + (month === 2 && yearLength === 366 ? 1 : 0);
    for (let day = 1; day <= monthLength; day++, i++) {
      const wall = start + i * DAY;
      if (f.months && !f.months.has(month)) continue;
      if (!listed(f.yearDays, i + 1, i - yearLength)) continue;
      if (!listed(f.monthDays, day, day - monthLength - 1)) continue;
      if (inWeek && !inWeek(wall)) continue;
      if (!matchesDay(f, weekday(wall), f.months ? day : i + 1, f.months ? monthLength : yearLength)) continue;
      out.push(wall);
    }
  }
  return out;
}

/** BYDAY: a listed plain weekday, or the n-th (from the end: -n-th) such weekday of its scope. */
function matchesDay(f: Filters, wd: number, position: number, scopeLength: number): boolean {
  if (!f.weekdays && !f.ordinals) return true;
  if (f.weekdays?.has(wd)) return true;
  const ns = f.ordinals?.get(wd);
  return (
    ns !== undefined && listed(ns, Math.floor((position - 1) / 7) + 1, -Math.floor((scopeLength - position) / 7) - 1)
  );
}

/** One period's instances (wall times), BYSETPOS applied, before the DTSTART cut. */
function periodSet(year: number, f: Filters, bySetPos: readonly number[] | undefined): WallMs[] {
  const all: WallMs[] = [];
  for (const day of daysOfYear(year, f)) for (const t of f.times) all.push(day + t);
  if (!bySetPos) return all;
  const picked = new Set<WallMs>();
  for (const p of bySetPos) {
    const t = all[p > 0 ? p - 1 : all.length + p];
    if (t !== undefined) picked.add(t);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Entry construction and the UNTIL margin come from the engine, so both paths agree. */
export interface YearlyScanDeps {
  readonly toEntry: (wall: WallMs, ordinal: number) => Entry;
  readonly untilWall: number;
}

/**
 * Same contract as the engine's wall scan: visits instances in order after `from` (or from
 * DTSTART), `ordinal` counting from DTSTART for COUNT rules; stops past `hiWall`, at COUNT, or
 * when `visit` returns false.
 */
export function scanYearly(
  spec: EngineSpec,
  from: Anchor | undefined,
  loWall: WallMs,
  hiWall: WallMs,
  visit: Visit,
  budget: Budget,
  deps: YearlyScanDeps,
): void {
  const f = buildFilters(spec);
  const { count, interval, bySetPos } = spec.recur;
  // COUNT rules count from DTSTART (or the anchor), whatever window is asked for.
  const countFrom = from ? from.wall + SECOND : spec.dtstartWall;
  const visitFrom = from ? countFrom : Math.max(loWall, spec.dtstartWall);
  const first = yearOf(count === undefined ? visitFrom : countFrom);
  const firstYear = yearOf(spec.dtstartWall);
  let year = firstYear + Math.max(0, Math.ceil((first - firstYear) / interval)) * interval;
  let ordinal = from ? from.count : 0;
  const stop = Math.min(hiWall, deps.untilWall);
  while (yearStart(year) <= stop) {
    budget.tick(true);
    for (const wall of periodSet(year, f, bySetPos)) {
      budget.tick();
      if (wall < spec.dtstartWall || wall < (count === undefined ? visitFrom : countFrom)) continue;
      if (wall > stop || (count !== undefined && ordinal >= count)) return;
      ordinal++;
      if (wall >= visitFrom) {
        const entry = deps.toEntry(wall, ordinal);
        if ((spec.until === undefined || entry.at <= spec.until) && !visit(entry)) return;
      }
    }
    year += interval;
  }
}
