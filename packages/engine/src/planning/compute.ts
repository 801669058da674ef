import type { PlanCursor, Schedule } from '@event-scheduler/models';
import { type CompiledRule, compileSavedRule, type RuleLimits } from '@event-scheduler/scheduling';
import { type Fate, misfireFates } from './misfire.js';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export interface ComputeOptions {
  windowMs: number;
  limits?: Partial<RuleLimits>;
  /**
   * Occurrences one pass turns into events before it stops (it finishes the rule chunk it is in,
   * so up to one chunk more); the rest wait for the next pass. Default 1000.
   */
  maxOccurrences?: number;
  /** Most skipped (missed) occurrences recorded one by one per pass; older ones are only counted. Default 1000. */
  maxSkipRecords?: number;
  /** Time budget of one pass in ms (catching up a rule far behind stops here and resumes). Default 250. */
  budgetMs?: number;
}

export interface ComputedPlan {
  occurrences: { at: Date; fate: Fate }[];
  cursor: PlanCursor;
  /** The first occurrence not yet planned; null once the schedule is completed. */
  nextRunAt: Date | null;
  /** The rule is used up and its last occurrence is past: mark the schedule `completed`. */
  complete: boolean;
  /** Stopped early (limit or budget): the schedule is due again at once. */
  partial: boolean;
  /** Missed occurrences skipped without a record of their own (beyond maxSkipRecords). */
  uncountedSkips: number;
}

/**
 * Compiles a stored rule for planning, with the scheduling package's one rule for stored rules
 * (the minimum interval is not checked again); of `limits`, only the expansion budget applies.
 */
export function compileStoredRule(
  schedule: Pick<Schedule, 'rrule' | 'timezone'>,
  now: Date,
  limits?: Partial<RuleLimits>,
): CompiledRule | { error: string } {
  const result = compileSavedRule({ text: schedule.rrule, timezone: schedule.timezone, now }, limits);
  if (result.ok) return result.rule;
  return { error: result.errors.map((e) => `${e.code}: ${e.message}`).join('; ') };
}

/**
 * The pure half of planning one schedule: its occurrences in (from, now + window] after
 * `not_before`, each with its misfire fate, the cursor to store and the next run. No I/O.
 */
export function computePlan(
  schedule: Pick<Schedule, 'not_before' | 'misfire_policy' | 'misfire_grace_seconds'>,
  from: PlanCursor | null,
  rule: CompiledRule,
  now: Date,
  { windowMs, maxOccurrences = 1000, maxSkipRecords = 1000, budgetMs = 250 }: ComputeOptions,
): ComputedPlan {
  const chunk = rule.limits.maxOccurrencesPerCall;
  const windowEnd = new Date(now.getTime() + windowMs);
  const graceMs = schedule.misfire_grace_seconds * 1000;
  const graceEdge = now.getTime() - graceMs;
  const notBefore = schedule.not_before.getTime();
  const keepMissedApart = schedule.misfire_policy !== 'fire_all';
  const started = performance.now();
  let cursor: PlanCursor | undefined = from ?? undefined;
  const kept: Date[] = [];
  let missed: Date[] = [];
  let uncountedSkips = 0;
  let exhausted = false;
  let partial = false;
  for (;;) {
    const result = rule.plan(cursor, windowEnd, chunk);
    cursor = { ...result.cursor };
    exhausted = result.exhausted;
    for (const { at } of result.occurrences) {
      if (at.getTime() <= notBefore) continue;
      if (keepMissedApart && at.getTime() < graceEdge) missed.push(at);
      else kept.push(at);
    }
    if (missed.length > maxSkipRecords) {
      uncountedSkips += missed.length - maxSkipRecords;
      missed = missed.slice(-maxSkipRecords);
    }
    if (result.occurrences.length < chunk || exhausted) break;
    if (kept.length >= maxOccurrences || performance.now() - started > budgetMs) {
      partial = true;
      break;
    }
  }
  const lastAt = cursor.last_at ? Date.parse(cursor.last_at) : Number.NEGATIVE_INFINITY;
  const all = [...missed, ...kept];
  const fates = misfireFates(all, {
    policy: schedule.misfire_policy,
    graceMs,
    now,
    moreMissedPending: partial && lastAt < graceEdge,
  });
  const occurrences = all.map((at, i) => ({ at, fate: fates[i] ?? 'fire' }));
  const next = nextRun(rule, cursor, windowEnd, now, exhausted, partial);
  return { occurrences, cursor, uncountedSkips, partial, ...next };
}

function nextRun(
  rule: CompiledRule,
  cursor: PlanCursor,
  windowEnd: Date,
  now: Date,
  exhausted: boolean,
  partial: boolean,
): { nextRunAt: Date | null; complete: boolean } {
  const lastAt = cursor.last_at ? new Date(cursor.last_at) : null;
  if (partial) return { nextRunAt: lastAt ?? now, complete: false };
  let done = exhausted;
  let nextRunAt: Date | null = null;
  if (!done) {
    // Peek at the next occurrence from the cursor without storing the peek's cursor.
    const horizon = new Date(windowEnd.getTime() + (rule.limits.maxGapYears + 1) * YEAR_MS);
    const peek = rule.plan(cursor, horizon, 1);
    nextRunAt = peek.occurrences[0]?.at ?? null;
    done = nextRunAt === null;
  }
  if (!done) return { nextRunAt, complete: false };
  // Used up: mark it completed once its last occurrence is past, so the dispatcher and worker
  // still see an active schedule while its final events are pending. Until then it comes due
  // again when that last occurrence is reached: the tick reads plans due within half the window,
  // so the next run is set half a window after it.
  if (lastAt && lastAt.getTime() > now.getTime()) {
    return { nextRunAt: new Date(lastAt.getTime() + (windowEnd.getTime() - now.getTime()) / 2), complete: false };
  }
  return { nextRunAt: null, complete: true };
}
