import { type CompiledRule, compileSavedRule, type RuleLimits } from '@event-scheduler/scheduling';

export interface RuleCache {
  /**
   * A stored rule, compiled with the scheduling package's rule for saved rules (never rejected
   * for its interval), or the reason it does not compile. Compiled rules are kept by text and
   * zone: stored rules carry DTSTART, so compiling them does not depend on `now`.
   */
  compile(schedule: { rrule: string; timezone: string }): CompiledRule | { error: string };
}

export function createRuleCache(limits?: Partial<RuleLimits>, size = 10_000): RuleCache {
  const cache = new Map<string, CompiledRule | { error: string }>();
  return {
    compile({ rrule, timezone }) {
      const key = `${timezone}\n${rrule}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const result = compileSavedRule({ text: rrule, timezone, now: new Date() }, limits);
      const compiled = result.ok
        ? result.rule
        : { error: result.errors.map((e) => `${e.code}: ${e.message}`).join('; ') };
      cache.set(key, compiled);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return compiled;
    },
  };
}
