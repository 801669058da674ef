import {
  type CompiledRule,
  compileSavedRule,
  compileUserRule,
  type RuleError,
  SchedulingError,
} from '@event-scheduler/scheduling';
import { AppError, type ErrorDetail } from '../errors.js';

export interface RuleCompilerOptions {
  /** Smallest gap between two occurrences of a new rule (api.min_interval_seconds). */
  minIntervalSeconds: number;
  /** Compiled stored rules kept in memory; default 1000. */
  cacheSize?: number;
}

export interface OccurrenceWindow {
  from: Date;
  to: Date;
  limit: number;
  detail: boolean;
}

export type ExpandedOccurrences =
  | string[]
  | { at: string; local: string; offset: string; dst: 'gap_shifted' | 'fold' | null }[];

export interface RuleCompiler {
  /** Compiles a rule a user sent; throws validation_failed naming each problem. */
  compileInput(text: string, timezone: string | undefined, now: Date): CompiledRule;
  /** Compiles a stored (canonical, DTSTART included) rule, cached; throws conflict if it no longer compiles. */
  compileStored(text: string, timezone: string): CompiledRule;
  /** The occurrences in a window as ISO strings, or described; a rule too costly to expand is a 400. */
  expand(rule: CompiledRule, window: OccurrenceWindow): ExpandedOccurrences;
}

const ruleDetail = (e: RuleError): ErrorDetail => ({
  field: e.part.startsWith('timezone=') ? 'timezone' : 'rrule',
  message: e.message,
  code: e.code,
  part: e.part,
});

/**
 * Text that is not a rule at all ("every day at noon") fails once per word; one detail naming
 * the whole unparseable text says it better. Other problems stay one detail each.
 */
function mergeSyntaxErrors(errors: readonly RuleError[]): RuleError[] {
  const syntax = errors.filter((e) => e.code === 'SYNTAX');
  const first = syntax[0];
  if (!first || syntax.length === 1) return [...errors];
  const part = syntax.map((e) => e.part).join(' ');
  const quoted = `"${first.part}"`;
  const message = first.message.includes(quoted)
    ? first.message.replace(quoted, `"${part}"`)
    : `${first.message} (also ${syntax
        .slice(1)
        .map((e) => e.part)
        .join(', ')})`;
  const merged: RuleError = { ...first, part, message };
  return [merged, ...errors.filter((e) => e.code !== 'SYNTAX')];
}

export function ruleErrorToAppError(errors: readonly RuleError[]): AppError {
  const details = mergeSyntaxErrors(errors).map(ruleDetail);
  return new AppError('validation_failed', details.map((d) => `${d.field}: ${d.message}`).join('; '), { details });
}

/** A SchedulingError (expansion cap or a rule too rare) as a 400: the request asked for too much. */
export function schedulingErrorToAppError(error: unknown): unknown {
  if (!(error instanceof SchedulingError)) return error;
  return new AppError('validation_failed', `rrule: ${error.message}`, {
    details: [{ field: 'rrule', message: error.message, code: error.code }],
  });
}

export function createRuleCompiler({ minIntervalSeconds, cacheSize = 1000 }: RuleCompilerOptions): RuleCompiler {
  // Stored rules carry DTSTART, so compiling them does not depend on `now`: safe to cache by text.
  const cache = new Map<string, CompiledRule>();
  return {
    compileInput(text, timezone, now) {
      const result = compileUserRule(
        { text, ...(timezone === undefined ? {} : { timezone }), now },
        { minIntervalSeconds },
      );
      if (!result.ok) throw ruleErrorToAppError(result.errors);
      return result.rule;
    },
    compileStored(text, timezone) {
      const key = `${timezone}\n${text}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      // The minimum interval may have been lower when the rule was saved; it stays valid.
      const result = compileSavedRule({ text, timezone, now: new Date() });
      if (!result.ok) {
        throw new AppError('conflict', `the stored rule no longer compiles: ${result.errors[0]?.message ?? ''}`);
      }
      cache.set(key, result.rule);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return result.rule;
    },
    expand(rule, { from, to, limit, detail }) {
      try {
        if (!detail) return rule.between(from, to, limit).map((d) => d.toISOString());
        return rule.describe(from, to, limit).map(({ at, local, offset, dst }) => ({ at, local, offset, dst }));
      } catch (error) {
        throw schedulingErrorToAppError(error);
      }
    },
  };
}
