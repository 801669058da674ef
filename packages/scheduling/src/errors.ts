/** Stable codes for rule problems; services map them to HTTP 400 (or 500 for EXPANSION_LIMIT). */
export type RuleErrorCode =
  | 'RULE_EMPTY'
  | 'RULE_TOO_LONG'
  | 'SYNTAX'
  | 'UNKNOWN_PROPERTY'
  | 'DUPLICATE_PROPERTY'
  | 'MISSING_RRULE'
  | 'MULTIPLE_RRULE'
  | 'EXRULE_UNSUPPORTED'
  | 'UNKNOWN_PARAMETER'
  | 'INVALID_DATE_TIME'
  | 'VALUE_TYPE_MISMATCH'
  | 'UNKNOWN_TZID'
  | 'TZID_WITH_Z'
  | 'TZID_CONFLICT'
  | 'DTSTART_OUT_OF_RANGE'
  | 'MISSING_FREQ'
  | 'INVALID_FREQ'
  | 'UNKNOWN_PART'
  | 'DUPLICATE_PART'
  | 'INVALID_VALUE'
  | 'OUT_OF_RANGE'
  | 'COUNT_WITH_UNTIL'
  | 'PART_NOT_ALLOWED'
  | 'BYSETPOS_ALONE'
  | 'UNTIL_BEFORE_DTSTART'
  | 'INTERVAL_TOO_SHORT'
  | 'NO_OCCURRENCE'
  | 'TOO_RARE'
  | 'EXPANSION_LIMIT';

export interface RuleError {
  readonly code: RuleErrorCode;
  readonly message: string;
  /** The offending piece of the input, verbatim where possible (e.g. `BYHOUR=24`). */
  readonly part: string;
}

export const ruleError = (code: RuleErrorCode, message: string, part: string): RuleError => ({
  code,
  message,
  part,
});

/**
 * Thrown (never returned as an empty result) when an expansion hits an iteration or time cap,
 * so a caller cannot mistake "we gave up" for "the schedule is finished".
 */
export class SchedulingError extends Error {
  readonly code: RuleErrorCode;
  constructor(code: RuleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchedulingError';
    this.code = code;
  }
}
