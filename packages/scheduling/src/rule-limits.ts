import { type CompileResult, compileRule } from './compile.js';
import type { RuleLimits } from './options.js';
import type { RuleInput } from './parse.js';

/**
 * The one set of limits rules are compiled with (DEFAULT_LIMITS), and the one difference between
 * a rule a user sends and a rule already stored: only new rules are held to the configured
 * minimum gap between occurrences. A stored rule passed that check when it was saved; raising
 * `api.min_interval_seconds` later must not make it fail to plan, preview or deliver.
 */

/** What a new rule is checked against beyond DEFAULT_LIMITS. */
export interface UserRuleLimits {
  /** Smallest gap between two occurrences, in seconds (`api.min_interval_seconds`). */
  minIntervalSeconds: number;
}

/** Expansion budget a stored rule's caller may tune; validation limits are not among them. */
export type ExpansionBudget = Pick<RuleLimits, 'maxIterations' | 'maxCallMs'>;

/** Compiles a rule a user sent (create, update, preview). */
export function compileUserRule(input: RuleInput, { minIntervalSeconds }: UserRuleLimits): CompileResult {
  return compileRule(input, { minIntervalSeconds });
}

/**
 * Compiles a stored rule (canonical text, DTSTART included, so `now` does not change the result).
 * The minimum interval is not checked again; `budget` may bound the work of one expansion.
 */
export function compileSavedRule(
  { text, timezone, now }: { text: string; timezone: string; now: Date },
  budget: ExpansionBudget = {},
): CompileResult {
  const tuned: ExpansionBudget = {
    ...(budget.maxIterations === undefined ? {} : { maxIterations: budget.maxIterations }),
    ...(budget.maxCallMs === undefined ? {} : { maxCallMs: budget.maxCallMs }),
  };
  return compileRule({ text, timezone, now }, { ...tuned, minIntervalSeconds: 0 });
}
