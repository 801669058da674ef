/** Limits applied when compiling and expanding rules. Every field is optional. */
export interface RuleLimits {
  /** Smallest allowed gap between two occurrences, in seconds. Default 60. */
  readonly minIntervalSeconds?: number;
  /** Most occurrences any single call returns. Default 1000. */
  readonly maxOccurrencesPerCall?: number;
  /** Earliest accepted DTSTART (inclusive). Default 1970-01-01T00:00:00Z. */
  readonly dtstartMin?: Date;
  /** Latest accepted DTSTART (exclusive). Default 2200-01-01T00:00:00Z. */
  readonly dtstartMax?: Date;
  /** Longest accepted rule text, in characters. Default 4000. */
  readonly maxRuleLength?: number;
  /** Most EXDATE plus RDATE values. Default 1000. */
  readonly maxDates?: number;
  /**
   * A rule must produce occurrences at least this often (years). Rules that never match, or match
   * more rarely, are rejected at compile time. Default 10.
   */
  readonly maxGapYears?: number;
  /** Cap on rule-engine period iterations per engine query (thrown as EXPANSION_LIMIT). Default 10 000. */
  readonly maxIterations?: number;
  /**
   * Cap on time per call, in milliseconds (thrown as EXPANSION_LIMIT). Checked between engine
   * queries, so a single query can overrun it by its own iteration cap. Default 1000.
   */
  readonly maxCallMs?: number;
}

export type ResolvedLimits = Required<RuleLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  minIntervalSeconds: 60,
  maxOccurrencesPerCall: 1000,
  dtstartMin: new Date('1970-01-01T00:00:00Z'),
  dtstartMax: new Date('2200-01-01T00:00:00Z'),
  maxRuleLength: 4000,
  maxDates: 1000,
  maxGapYears: 10,
  maxIterations: 10_000,
  maxCallMs: 1000,
});

export function resolveLimits(limits: RuleLimits | undefined): ResolvedLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}
