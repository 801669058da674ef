import { type Anchor, Budget, type Entry, reorderMargin, scan } from './engine.js';
import type { ResolvedLimits } from './options.js';
import type { ParsedRule } from './parse.js';
import type { Occurrence } from './rule.js';
import { formatStamp, parseStamp } from './wall.js';
import { offsetAt, resolveWall } from './zone.js';

/**
 * What a service stores per schedule so planning never re-walks the rule from DTSTART.
 * Treat it as opaque; it is plain JSON.
 */
export interface Cursor {
  /** ISO instant of the last planned occurrence, or null before the first one. */
  readonly last_at: string | null;
  /** Rule instances generated so far (what COUNT counts; EXDATE'd ones included). */
  readonly count: number;
  /** Generated local wall time (`YYYYMMDDTHHMMSS`) of the last counted instance; the rule resumes after it. */
  readonly anchor: string | null;
}

export interface PlanResult {
  readonly occurrences: readonly Occurrence[];
  readonly cursor: Cursor;
  /** True when the rule (and every RDATE) is used up: nothing will ever come after the cursor. */
  readonly exhausted: boolean;
}

function scanWindow(rule: ParsedRule, from: Anchor | undefined, lastAt: number, end: number, limit: number, b: Budget) {
  const lo = Math.min(lastAt, end);
  const entries: Entry[] = [];
  const eligible = new Set<number>();
  let stopAfterWall = Number.POSITIVE_INFINITY;
  scan(
    rule,
    from,
    from ? lo : Math.min(lo, rule.dtstart),
    end,
    (e) => {
      if (e.wall > stopAfterWall) return false;
      entries.push(e);
      if (e.at > lastAt && e.at <= end && !rule.exdates.has(e.at) && !eligible.has(e.at)) {
        eligible.add(e.at);
        if (eligible.size === limit) stopAfterWall = e.wall + reorderMargin(rule, e.at);
      }
      return true;
    },
    b,
  );
  return entries;
}

function toAnchor(cursor: Cursor | undefined): Anchor | undefined {
  if (!cursor?.anchor || cursor.count === 0) return undefined;
  const stamp = parseStamp(cursor.anchor);
  if (!stamp) throw new TypeError(`Cursor anchor "${cursor.anchor}" is malformed.`);
  return { wall: stamp.wall, count: cursor.count };
}

/**
 * Occurrences in (cursor.last_at, windowEnd], at most `limit`, and the cursor to store. COUNT
 * rules resume from the anchor (a rebased DTSTART) with the remaining count, so the work per
 * call is proportional to the window, not to the schedule's age.
 */
export function planWindow(
  rule: ParsedRule,
  cursor: Cursor | undefined,
  windowEnd: number,
  limit: number,
  limits: ResolvedLimits,
): PlanResult {
  const lastAt = cursor?.last_at ? Date.parse(cursor.last_at) : Number.NEGATIVE_INFINITY;
  const floor = Number.isFinite(lastAt) ? lastAt : Math.min(rule.dtstart, rule.rdates[0] ?? rule.dtstart) - 1;
  const from = toAnchor(cursor);
  const entries = scanWindow(rule, from, floor, windowEnd, limit, new Budget(limits));
  const picked: Occurrence[] = entries
    .filter((e) => e.at > floor && e.at <= windowEnd && !rule.exdates.has(e.at))
    .map((e) => ({ at: new Date(e.at), wall: e.wall, kind: e.kind, source: 'rule' as const }));
  for (const at of rule.rdates) {
    if (at > floor && at <= windowEnd && !rule.exdates.has(at)) {
      picked.push({
        at: new Date(at),
        kind: resolveWall(rule.zone, at + offsetAt(rule.zone, at)).kind,
        source: 'rdate',
      });
    }
  }
  picked.sort((a, b) => a.at.getTime() - b.at.getTime());
  const unique = picked.filter((o, i) => i === 0 || o.at.getTime() !== picked[i - 1]?.at.getTime());
  const occurrences = unique.slice(0, limit);
  const cut = unique.length > limit ? (occurrences[limit - 1]?.at.getTime() ?? windowEnd) : windowEnd;
  // Count every generated instance up to the first one past the cut; DST can reorder instants
  // near a gap, and the ones after this point are filtered by `last_at` next time.
  let p = entries.findIndex((e) => e.at > cut);
  if (p < 0) p = entries.length;
  const lastEntry = entries[p - 1];
  const last = occurrences[occurrences.length - 1];
  const next: Cursor = {
    last_at: last ? last.at.toISOString() : (cursor?.last_at ?? null),
    count: (from?.count ?? 0) + p,
    anchor: lastEntry ? formatStamp(lastEntry.wall) : (cursor?.anchor ?? null),
  };
  return { occurrences, cursor: next, exhausted: isExhausted(rule, next, cut) };
}

function isExhausted(rule: ParsedRule, cursor: Cursor, cut: number): boolean {
  const lastAt = cursor.last_at ? Date.parse(cursor.last_at) : Number.NEGATIVE_INFINITY;
  if (rule.rdates.some((at) => at > lastAt && !rule.exdates.has(at))) return false;
  if (rule.recur.count !== undefined) return cursor.count >= rule.recur.count;
  if (rule.until !== undefined) return cut >= rule.until;
  return false;
}
