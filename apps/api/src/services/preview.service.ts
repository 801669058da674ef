import type { Clock, CompiledRule } from '@event-scheduler/scheduling';
import { invalidField } from '../errors.js';
import type { ExpandedOccurrences, RuleCompiler } from './rules.js';
import { schedulingErrorToAppError } from './rules.js';

export interface PreviewInput {
  rrule: string;
  timezone?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  detail?: boolean | undefined;
}

/** Why the list stops where it does, so an empty or short list is never a riddle. */
export interface PreviewEnd {
  /** `limit`: more follow the last one listed; `window`: none left before `to`; `rule_ended`: none left at all. */
  reason: 'limit' | 'window' | 'rule_ended';
  /** The first occurrence after the list; null once the rule has ended. */
  next: string | null;
  /** DTSTART is before `from` and the rule has occurrences there, which are not listed. */
  before_from: boolean;
  message: string;
}

export interface PreviewResult {
  /** The rule as sent. */
  rrule: string;
  /** The canonical text a schedule would store (DTSTART included). */
  canonical_rrule: string;
  timezone: string;
  warnings: string[];
  occurrences: ExpandedOccurrences;
  end: PreviewEnd;
}

export interface PreviewServiceDeps {
  rules: RuleCompiler;
  clock: Clock;
}

export const PREVIEW_DEFAULT_LIMIT = 10;
const DEFAULT_SPAN_YEARS = 10;
const DEFAULT_SPAN_MS = DEFAULT_SPAN_YEARS * 366 * 86_400_000;

export type PreviewService = ReturnType<typeof createPreviewService>;

/** Checks a rule and lists its occurrences in a window, saying why the list ends where it does. */
export function createPreviewService({ rules, clock }: PreviewServiceDeps) {
  return {
    preview(input: PreviewInput): PreviewResult {
      const now = clock();
      const rule = rules.compileInput(input.rrule, input.timezone, now);
      const from = input.from ? new Date(input.from) : now;
      const to = input.to ? new Date(input.to) : new Date(from.getTime() + DEFAULT_SPAN_MS);
      if (to.getTime() < from.getTime()) throw invalidField('to', 'must not be before from');
      const limit = input.limit ?? PREVIEW_DEFAULT_LIMIT;
      const occurrences = rules.expand(rule, { from, to, limit, detail: input.detail ?? false });
      const listed = occurrences.map((o) => (typeof o === 'string' ? o : o.at));
      return {
        rrule: input.rrule,
        canonical_rrule: rule.text,
        timezone: rule.timezone,
        warnings: [...rule.warnings],
        occurrences,
        end: explainEnd(rule, {
          listed,
          limit,
          from,
          to,
          fromDefaulted: !input.from,
          toDefaulted: !input.to,
        }),
      };
    },
  };
}

interface ListedWindow {
  listed: string[];
  limit: number;
  from: Date;
  to: Date;
  fromDefaulted: boolean;
  toDefaulted: boolean;
}

/** The rule's first occurrence after `after`; expansion beyond the budget is a 400 like any other. */
function nextAfter(rule: CompiledRule, after: Date): Date | null {
  try {
    return rule.next(after);
  } catch (error) {
    throw schedulingErrorToAppError(error);
  }
}

/** `COUNT=3`, `UNTIL=20260110T090000Z`: what ends a finite rule, from its canonical text. */
const endingPart = (rule: CompiledRule) => /\b(COUNT=\d+|UNTIL=[0-9TZ]+)/.exec(rule.text)?.[1];

export function explainEnd(rule: CompiledRule, w: ListedWindow): PreviewEnd {
  const last = w.listed.at(-1);
  const full = w.listed.length >= w.limit && last !== undefined;
  const next = nextAfter(rule, full ? new Date(last) : w.to);
  const first = nextAfter(rule, new Date(rule.dtstart.getTime() - 1));
  const beforeFrom = first !== null && first.getTime() < w.from.getTime();
  const fromText = w.fromDefaulted ? `now, by default: ${w.from.toISOString()}` : w.from.toISOString();
  const fromNote = beforeFrom
    ? ` DTSTART (${rule.dtstart.toISOString()}) is before from (${fromText}): earlier occurrences are not listed.`
    : '';
  if (next) {
    const reason = full ? 'limit' : 'window';
    const where = full
      ? `Showing the first ${w.limit} (limit)`
      : `The window ends at to (${w.to.toISOString()}${w.toDefaulted ? `, ${DEFAULT_SPAN_YEARS} years after from, by default` : ''})`;
    const message = `${where}; the next occurrence is ${next.toISOString()}.${fromNote}`;
    return { reason, next: next.toISOString(), before_from: beforeFrom, message };
  }
  const ending = endingPart(rule);
  const rule_ends = `The rule ends${ending ? ` (${ending})` : ''}`;
  const message = last
    ? `${rule_ends}: no occurrence after ${new Date(last).toISOString()}.${fromNote}`
    : `${rule_ends} before from (${fromText}): its first occurrence is ${first?.toISOString()}; set from earlier to see them.`;
  return { reason: 'rule_ended', next: null, before_from: beforeFrom, message };
}
