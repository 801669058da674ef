/**
 * Time for every service comes from here, never from `Date.now()` directly, so tests control it.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export type { BackoffInput, Random } from './backoff.js';
export { backoffDelay, parseRetryAfter } from './backoff.js';
export type { CompiledRule, CompileResult, DescribedOccurrence } from './compile.js';
export { compileRule } from './compile.js';
export type { RuleError, RuleErrorCode } from './errors.js';
export { SchedulingError } from './errors.js';
export type { ResolvedLimits, RuleLimits } from './options.js';
export { DEFAULT_LIMITS } from './options.js';
export type { RuleInput } from './parse.js';
export type { Cursor, PlanResult } from './plan.js';
export type { Occurrence } from './rule.js';
export type { ExpansionBudget, UserRuleLimits } from './rule-limits.js';
export { compileSavedRule, compileUserRule } from './rule-limits.js';
export { tzdataVersion } from './zone.js';
