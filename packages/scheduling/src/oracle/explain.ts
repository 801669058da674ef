import { weekRule, weekVerdict } from './week.js';

/**
 * The one kind of difference with python-dateutil that is dateutil's error, not ours: days in a
 * week shared by two calendar years under BYWEEKNO. Each day we give that dateutil lacks must be
 * selected by an independent week count, and each day dateutil gives that we lack must not be;
 * everything else must agree. Returns the explained days, or undefined if anything else differs.
 */
export function explainWeekDifferences(
  got: readonly string[],
  want: readonly string[],
  rrule: string,
  localDate: (iso: string) => string,
): { extra: string[]; missing: string[] } | undefined {
  const rule = weekRule(rrule);
  if (!rule) return undefined;
  // Only compare up to where both lists reach (each is cut at the first N occurrences).
  const end = [got.at(-1), want.at(-1)].filter((t): t is string => t !== undefined).sort()[0] ?? '';
  const g = got.filter((t) => t <= end);
  const w = want.filter((t) => t <= end);
  const extra = g.filter((t) => !w.includes(t));
  const missing = w.filter((t) => !g.includes(t));
  const verdict = (iso: string) => weekVerdict(localDate(iso), rule);
  if (!extra.every((t) => verdict(t).edge && verdict(t).selected)) return undefined;
  if (!missing.every((t) => verdict(t).edge && !verdict(t).selected)) return undefined;
  const same = (xs: string[], drop: string[]) => JSON.stringify(xs.filter((t) => !drop.includes(t)));
  return same(g, extra) === same(w, missing) ? { extra, missing } : undefined;
}
