import { Budget, scan, stepMs } from './engine.js';
import { type RuleError, ruleError, SchedulingError } from './errors.js';
import { type ResolvedLimits, type RuleLimits, resolveLimits } from './options.js';
import { type ParsedRule, parseRule, type RuleInput } from './parse.js';
import { type Cursor, type PlanResult, planWindow } from './plan.js';
import { collect, isFiniteRule, nextAfter, type Occurrence } from './rule.js';
import { DAY, formatIsoLocal, formatOffset } from './wall.js';
import { offsetAt } from './zone.js';

/** A preview line: the instant, its local wall time and why it may look odd. */
export interface DescribedOccurrence {
  /** UTC instant, ISO 8601 with Z. */
  readonly at: string;
  /** Local wall time in the rule's zone, ISO 8601 without offset. */
  readonly local: string;
  /** UTC offset in force, e.g. `+01:00`. */
  readonly offset: string;
  /** `gap_shifted`: the local time did not exist and moved forward; `fold`: it exists twice, this is the first. */
  readonly dst: 'gap_shifted' | 'fold' | null;
  readonly source: 'rule' | 'rdate';
}

/** A validated rule. All methods are pure; instants in, instants out. */
export interface CompiledRule {
  /** Canonical text to store: DTSTART always present, UNTIL/EXDATE/RDATE in UTC. */
  readonly text: string;
  readonly timezone: string;
  readonly dtstart: Date;
  /** `wall`: expanded on the local clock; `elapsed`: sub-daily interval rule, every INTERVAL of real time. */
  readonly mode: 'wall' | 'elapsed';
  readonly warnings: readonly string[];
  readonly limits: ResolvedLimits;
  /** First occurrence strictly after `after`, or null when a finite rule is used up. */
  next(after: Date): Date | null;
  /** Occurrences in [from, to], at most `limit` (default and cap: maxOccurrencesPerCall). */
  between(from: Date, to: Date, limit?: number): Date[];
  /** True when no occurrence lies after `after`. */
  isExhausted(after: Date): boolean;
  /** Like `between`, with local wall times and DST notes for previews. */
  describe(from: Date, to: Date, limit?: number): DescribedOccurrence[];
  /** Occurrences in (cursor.last_at, windowEnd] and the cursor to store (undefined = from DTSTART). */
  plan(cursor: Cursor | undefined, windowEnd: Date, limit?: number): PlanResult;
}

export type CompileResult = { ok: true; rule: CompiledRule } | { ok: false; errors: RuleError[] };

const YEAR = 365.25 * DAY;

function describeOne(rule: ParsedRule, o: Occurrence): DescribedOccurrence {
  const at = o.at.getTime();
  const offset = offsetAt(rule.zone, at);
  const dst = o.kind === 'gap' ? 'gap_shifted' : o.kind === 'fold' ? 'fold' : null;
  return {
    at: o.at.toISOString(),
    local: formatIsoLocal(at + offset),
    offset: formatOffset(offset),
    dst,
    source: o.source,
  };
}

function build(rule: ParsedRule, limits: ResolvedLimits): CompiledRule {
  const cap = (limit: number | undefined) =>
    Math.max(0, Math.min(limit ?? limits.maxOccurrencesPerCall, limits.maxOccurrencesPerCall));
  const next = (after: Date) => {
    const o = nextAfter(rule, after.getTime(), limits);
    return o ? o.at : null;
  };
  return {
    text: rule.text,
    timezone: rule.zone,
    dtstart: new Date(rule.dtstart),
    mode: rule.mode,
    warnings: rule.warnings,
    limits,
    next,
    between: (from, to, limit) =>
      collect(rule, from.getTime(), to.getTime(), cap(limit), new Budget(limits)).map((o) => o.at),
    isExhausted: (after) => isFiniteRule(rule) && next(after) === null,
    describe: (from, to, limit) =>
      collect(rule, from.getTime(), to.getTime(), cap(limit), new Budget(limits)).map((o) => describeOne(rule, o)),
    plan: (cursor, windowEnd, limit) => planWindow(rule, cursor, windowEnd.getTime(), cap(limit), limits),
  };
}

/** Rule instances from DTSTART (up to `n`), ignoring RDATE/EXDATE, for the semantic checks. */
function firstInstants(rule: ParsedRule, n: number, limits: ResolvedLimits, budget: Budget): number[] {
  const out = new Set<number>();
  const hi = rule.dtstart + limits.maxGapYears * YEAR;
  scan(
    rule,
    undefined,
    rule.dtstart,
    hi,
    (e) => {
      if (e.at <= hi && (rule.until === undefined || e.at <= rule.until)) out.add(e.at);
      return out.size < n;
    },
    budget,
  );
  return [...out].sort((a, b) => a - b);
}

function semanticErrors(rule: ParsedRule, limits: ResolvedLimits): RuleError[] {
  const budget = new Budget(limits);
  const minGap = limits.minIntervalSeconds * 1000;
  if (rule.mode === 'elapsed' && stepMs(rule) < minGap) {
    const msg = `Occurrences would be ${stepMs(rule) / 1000} s apart; the minimum is ${limits.minIntervalSeconds} s.`;
    return [ruleError('INTERVAL_TOO_SHORT', msg, `FREQ=${rule.recur.freq};INTERVAL=${rule.recur.interval}`)];
  }
  const first = firstInstants(rule, 200, limits, budget);
  if (first.length === 0) {
    const msg = `The rule has no occurrence within ${limits.maxGapYears} years of DTSTART (it may never match, like Feb 30).`;
    return [ruleError('NO_OCCURRENCE', msg, `RRULE`)];
  }
  for (let i = 1; i < first.length; i++) {
    const gap = (first[i] ?? 0) - (first[i - 1] ?? 0);
    if (gap < minGap) {
      const msg = `Two occurrences are only ${gap / 1000} s apart; the minimum is ${limits.minIntervalSeconds} s.`;
      return [ruleError('INTERVAL_TOO_SHORT', msg, 'RRULE')];
    }
  }
  const last = first[first.length - 1] ?? rule.dtstart;
  if (!isFiniteRule(rule) && first.length < 3) {
    // Fewer than three in the window: make sure the next one is not further than the limit.
    try {
      nextAfter(rule, last, limits, budget);
    } catch (err) {
      if (err instanceof SchedulingError) return [ruleError('TOO_RARE', err.message, 'RRULE')];
      throw err;
    }
  }
  return [];
}

/**
 * Parses and validates once. Returns the compiled rule, or every problem found, each with a
 * stable `code`, a message and the offending `part`. Never throws for bad input.
 */
export function compileRule(input: RuleInput, options?: RuleLimits): CompileResult {
  const limits = resolveLimits(options);
  const { rule, errors } = parseRule(input, limits);
  if (!rule) return { ok: false, errors };
  try {
    const semantic = semanticErrors(rule, limits);
    if (semantic.length > 0) return { ok: false, errors: semantic };
  } catch (err) {
    if (!(err instanceof SchedulingError)) throw err;
    const code = err.code === 'EXPANSION_LIMIT' ? 'TOO_RARE' : err.code;
    return {
      ok: false,
      errors: [ruleError(code, `The rule cannot be expanded within the limits: ${err.message}`, 'RRULE')],
    };
  }
  return { ok: true, rule: build(rule, limits) };
}

export type { Cursor, PlanResult, RuleInput };
