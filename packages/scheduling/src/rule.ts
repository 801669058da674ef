import { type Anchor, Budget, type Entry, reorderMargin, scan } from './engine.js';
import { SchedulingError } from './errors.js';
import type { ResolvedLimits } from './options.js';
import type { ParsedRule } from './parse.js';
import { DAY } from './wall.js';
import { offsetAt, resolveWall, type WallKind } from './zone.js';

/** One occurrence with what a preview needs to explain it. */
export interface Occurrence {
  readonly at: Date;
  /** The generated local wall time (before a gap shift), or undefined for RDATEs. */
  readonly wall?: number;
  readonly kind: WallKind;
  readonly source: 'rule' | 'rdate';
}

const YEAR = 366 * DAY;

function mergeAndSort(items: Occurrence[]): Occurrence[] {
  items.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.source === 'rule' ? -1 : 1));
  return items.filter((o, i) => i === 0 || o.at.getTime() !== items[i - 1]?.at.getTime());
}

const fromEntry = (e: Entry): Occurrence => ({ at: new Date(e.at), wall: e.wall, kind: e.kind, source: 'rule' });
const fromRdate = (rule: ParsedRule, at: number): Occurrence => ({
  at: new Date(at),
  kind: resolveWall(rule.zone, at + offsetAt(rule.zone, at)).kind === 'fold' ? 'fold' : 'exact',
  source: 'rdate',
});

/**
 * Occurrences with instants in [lo, hi] (inclusive), at most `limit`, sorted and de-duplicated,
 * EXDATEs removed. The scan stops once `limit` are found and the DST reorder margin is passed.
 */
export function collect(rule: ParsedRule, lo: number, hi: number, limit: number, budget: Budget) {
  const found: Occurrence[] = [];
  // Distinct instants: several wall times can map to one instant (a gap shift), counted once.
  const seen = new Set<number>();
  let stopAfterWall = Number.POSITIVE_INFINITY;
  scan(
    rule,
    undefined,
    lo,
    hi,
    (e) => {
      if (e.wall > stopAfterWall) return false;
      if (e.at >= lo && e.at <= hi && !rule.exdates.has(e.at) && !seen.has(e.at)) {
        seen.add(e.at);
        found.push(fromEntry(e));
        if (found.length === limit) stopAfterWall = e.wall + reorderMargin(rule, e.at);
      }
      return true;
    },
    budget,
  );
  for (const at of rule.rdates) {
    if (at >= lo && at <= hi && !rule.exdates.has(at)) found.push(fromRdate(rule, at));
  }
  return mergeAndSort(found).slice(0, limit);
}

/** Whether the RRULE (with COUNT/UNTIL) can end; RDATEs are always finite. */
export const isFiniteRule = (rule: ParsedRule): boolean => rule.recur.count !== undefined || rule.until !== undefined;

/**
 * First occurrence strictly after `after`, searching at most `maxGapYears` ahead (compile
 * rejects rules sparser than that). For an open-ended rule, finding nothing is an error.
 */
export function nextAfter(
  rule: ParsedRule,
  after: number,
  limits: ResolvedLimits,
  budget = new Budget(limits),
): Occurrence | null {
  const horizon = after + Math.max(1, limits.maxGapYears) * YEAR * 1.2;
  let lo = after + 1;
  let span = Math.max(DAY, 7 * DAY);
  while (lo <= horizon) {
    const hi = Math.min(horizon, lo + span);
    budget.tick(true);
    const hit = collect(rule, lo, hi, 1, budget)[0];
    if (hit) return hit;
    lo = hi + 1;
    span *= 4;
  }
  if (isFiniteRule(rule)) return null;
  throw new SchedulingError(
    'TOO_RARE',
    `No occurrence within ${limits.maxGapYears} years after ${new Date(after).toISOString()}.`,
  );
}

export type { Anchor };
