import { RRuleTemporal } from 'rrule-temporal';
import { SchedulingError } from './errors.js';
import type { ResolvedLimits } from './options.js';
import { formatRecur, type Recur } from './recur.js';
import { DAY, formatStamp, HOUR, MINUTE, SECOND, type WallMs } from './wall.js';
import { scanYearly, usesOwnYearly } from './yearly.js';
import { offsetsNear, resolveWall, type WallKind } from './zone.js';

/**
 * Rule math. Wall-clock rules run on rrule-temporal with DTSTART written as `TZID=UTC`, i.e. on
 * a floating clock, so the library applies no DST policy of its own (it would omit gap times and
 * re-anchor a DTSTART in a gap); our zone layer turns each wall time into an instant.
 * Sub-daily rules without BY parts never touch the engine: they are DTSTART + k × step.
 */

export interface EngineSpec {
  readonly zone: string;
  readonly recur: Recur;
  readonly dtstartWall: WallMs;
  readonly dtstart: number;
  /** Inclusive instant, already normalised from UNTIL. */
  readonly until?: number;
  readonly mode: 'wall' | 'elapsed';
}

/** A rule-generated instance. `ordinal` is 1-based in generation order (what COUNT counts). */
export interface Entry {
  readonly wall: WallMs;
  readonly at: number;
  readonly ordinal: number;
  readonly kind: WallKind;
}

/** Where a scan resumes: the last counted instance (exclusive) and how many came before it. */
export interface Anchor {
  readonly wall: WallMs;
  readonly count: number;
}

export type Visit = (entry: Entry) => boolean;

const UNIT: Record<string, number> = { HOURLY: HOUR, MINUTELY: MINUTE, SECONDLY: SECOND };
const UNTIL_MARGIN = 2 * DAY;

export function stepMs(spec: EngineSpec): number {
  return (UNIT[spec.recur.freq] ?? DAY) * spec.recur.interval;
}

/** Rough spacing of occurrences, used only to size scan chunks. */
function typicalSpacing(recur: Recur): number {
  const base = { YEARLY: 365 * DAY, MONTHLY: 30 * DAY, WEEKLY: 7 * DAY, DAILY: DAY }[recur.freq as string];
  return (base ?? UNIT[recur.freq] ?? DAY) * recur.interval;
}

export class Budget {
  private readonly deadline: number;
  private ticks = 0;
  constructor(private readonly limits: ResolvedLimits) {
    this.deadline = performance.now() + limits.maxCallMs;
  }
  get maxIterations(): number {
    return this.limits.maxIterations;
  }
  tick(force = false): void {
    if ((force || (++this.ticks & 255) === 0) && performance.now() > this.deadline) {
      throw new SchedulingError('EXPANSION_LIMIT', `Expansion exceeded ${this.limits.maxCallMs} ms.`);
    }
  }
}

function buildEngine(spec: EngineSpec, start: WallMs, count: number | undefined, budget: Budget, stopWall?: WallMs) {
  // The engine's UNTIL is only a stopping point on the floating clock (ours is an instant,
  // filtered later); it also bounds COUNT walks, which would otherwise run to maxIterations.
  const floatingUntil = Math.min(
    spec.until === undefined ? Number.POSITIVE_INFINITY : spec.until + UNTIL_MARGIN,
    stopWall ?? Number.POSITIVE_INFINITY,
  );
  const until = Number.isFinite(floatingUntil) ? `${formatStamp(Math.max(floatingUntil, start))}Z` : undefined;
  const text = `DTSTART;TZID=UTC:${formatStamp(start)}\nRRULE:${formatRecur({ ...spec.recur, count }, until)}`;
  return new RRuleTemporal({
    rruleString: text,
    maxIterations: budget.maxIterations,
    cache: false,
  });
}

function engineCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SchedulingError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SchedulingError('EXPANSION_LIMIT', `Rule engine gave up: ${message}`, { cause: err });
  }
}

function toEntry(spec: EngineSpec, wall: WallMs, ordinal: number): Entry {
  const r = resolveWall(spec.zone, wall);
  return { wall, at: r.at, ordinal, kind: r.kind };
}

/** Elapsed-time rules: instance k is DTSTART + k × step, no engine and no zone math. */
function scanElapsed(spec: EngineSpec, from: Anchor | undefined, hiWall: WallMs, visit: Visit, budget: Budget) {
  const step = stepMs(spec);
  const count = spec.recur.count ?? Number.POSITIVE_INFINITY;
  for (let k = from ? from.count : 0; k < count; k++) {
    budget.tick();
    const at = spec.dtstart + k * step;
    if ((spec.until !== undefined && at > spec.until) || at > hiWall) return;
    if (!visit({ wall: at, at, ordinal: k + 1, kind: 'exact' })) return;
  }
}

interface Walk {
  readonly engine: RRuleTemporal;
  /** First wall time to ask for (inclusive). */
  readonly from: WallMs;
  /** Ordinal of the instance just before `from`. */
  readonly ordinal: number;
  /** A wall time to pass over without visiting (the anchor itself, already counted). */
  readonly skip?: WallMs;
}

/**
 * Asks the engine for adaptive chunks of wall time. rrule-temporal's `between` is ~10x cheaper
 * per instance than `all(iterator)` and skips ahead for open-ended rules; for COUNT rules the
 * engine is rebased on the anchor, so its walk starts at the cursor, not at DTSTART.
 */
function walk(spec: EngineSpec, w: Walk, hiWall: WallMs, visit: Visit, b: Budget) {
  let cursor = w.from;
  let span = Math.max(HOUR, typicalSpacing(spec.recur) * 32);
  let ordinal = w.ordinal;
  const untilWall = spec.until === undefined ? Number.POSITIVE_INFINITY : spec.until + UNTIL_MARGIN;
  while (cursor <= Math.min(hiWall, untilWall)) {
    b.tick(true);
    const end = Math.min(cursor + span, hiWall);
    const chunk = engineCall(() => w.engine.between(new Date(cursor), new Date(end), true));
    for (const z of chunk) {
      b.tick();
      if (z.epochMilliseconds === w.skip) continue;
      const entry = toEntry(spec, z.epochMilliseconds, ++ordinal);
      if (spec.until !== undefined && entry.at > spec.until) continue;
      if (!visit(entry)) return;
    }
    if (spec.recur.count !== undefined && ordinal >= spec.recur.count) return;
    cursor = end + SECOND;
    span = chunk.length > 2000 ? Math.max(HOUR, span / 4) : chunk.length < 64 ? span * 4 : span;
  }
}

function scanWall(spec: EngineSpec, from: Anchor | undefined, loWall: WallMs, hiWall: WallMs, visit: Visit, b: Budget) {
  if (usesOwnYearly(spec.recur)) {
    // rrule-temporal 2.2.8 reads these YEARLY shapes differently from RFC 5545 (see yearly.ts).
    const untilWall = spec.until === undefined ? Number.POSITIVE_INFINITY : spec.until + UNTIL_MARGIN;
    const toWallEntry = (wall: WallMs, ordinal: number) => toEntry(spec, wall, ordinal);
    scanYearly(spec, from, loWall, hiWall, visit, b, { toEntry: toWallEntry, untilWall });
    return;
  }
  const count = spec.recur.count;
  if (count === undefined) {
    const engine = buildEngine(spec, spec.dtstartWall, undefined, b);
    const start = from ? from.wall + SECOND : Math.max(loWall, spec.dtstartWall);
    walk(spec, { engine, from: start, ordinal: from ? from.count : 0 }, hiWall, visit, b);
    return;
  }
  // COUNT: the index of each instance matters and the engine cannot skip ahead, so rebase it on
  // the anchor (an actual occurrence, keeping INTERVAL phase, WKST weeks and implied BY values)
  // with the remaining count; the anchor itself comes back first and is skipped.
  const done = from ? from.count - 1 : 0;
  if (count - done <= 0) return;
  const start = from ? from.wall : spec.dtstartWall;
  const engine = buildEngine(spec, start, count - done, b, hiWall);
  // Without an anchor, ordinals are only exact when the scan starts at DTSTART (plan does);
  // between/next ignore them and may start at the window.
  const first = from ? from.wall : Math.max(loWall, spec.dtstartWall);
  walk(spec, { engine, from: first, ordinal: from ? from.count : 0, skip: from?.wall }, hiWall, visit, b);
}

/**
 * Visits rule instances in generation order, starting after `from` (or at DTSTART), whose wall
 * time can map to an instant in [lo, hi]. Instances outside [lo, hi] may still be visited (DST
 * reordering near a gap); callers filter on `at`. Stops when `visit` returns false.
 */
export function scan(spec: EngineSpec, from: Anchor | undefined, lo: number, hi: number, visit: Visit, b: Budget) {
  if (spec.mode === 'elapsed') {
    const skip = from ? undefined : { wall: 0, count: Math.max(0, Math.ceil((lo - spec.dtstart) / stepMs(spec))) };
    scanElapsed(spec, from ?? (skip && skip.count > 0 ? skip : undefined), hi, visit, b);
    return;
  }
  const loWall = lo + offsetsNear(spec.zone, lo).min - SECOND;
  const hiWall = hi + offsetsNear(spec.zone, hi).max + SECOND;
  scanWall(spec, from, loWall, hiWall, visit, b);
}

/**
 * How far (in wall time) past the instance at `at` a scan must look before stopping, so DST
 * reordering near a gap cannot hide an earlier instant.
 */
export function reorderMargin(spec: EngineSpec, at: number): number {
  if (spec.mode === 'elapsed') return 0;
  const { min, max } = offsetsNear(spec.zone, at);
  return max - min + HOUR;
}
