import { type CompiledRule, compileRule } from '@event-scheduler/scheduling';
import type { AcknowledgedSchedule, Millis, ScheduleState, UnexpectedReason } from './types.js';

/**
 * What the acknowledged changes say about one instant of a schedule:
 * - `firm`: one state governs it; the occurrence must fire if that state is active and its rule has it;
 * - `boundary`: a change was in flight (sent, not yet answered, or just before it was sent): the
 *   occurrence may fire once under the state before or after, or not at all;
 * - `none`: nothing may fire (before the create, paused, deleted).
 */
export type Governance =
  | { kind: 'firm'; state: ScheduleState }
  | { kind: 'boundary'; states: ScheduleState[] }
  | { kind: 'none'; reason: Extract<UnexpectedReason, 'before create' | 'paused' | 'deleted'> };

export interface ExpectedOccurrence {
  scheduleId: string;
  at: Millis;
  required: boolean;
  /** Callback paths allowed for it (the governing states' URLs). */
  paths: Set<string>;
}

const rules = new Map<string, CompiledRule>();

/** The stored rule compiled once (canonical text: DTSTART included). */
export function compiled(state: Pick<ScheduleState, 'rrule' | 'timezone'>): CompiledRule {
  const key = `${state.timezone}\n${state.rrule}`;
  let rule = rules.get(key);
  if (!rule) {
    const result = compileRule(
      { text: state.rrule, timezone: state.timezone, now: new Date(0) },
      { minIntervalSeconds: 0, maxOccurrencesPerCall: 100_000, maxIterations: 1_000_000, maxCallMs: 10_000 },
    );
    if (!result.ok) throw new Error(`checker: the stored rule does not compile: ${JSON.stringify(result.errors)}`);
    rule = result.rule;
    rules.set(key, rule);
  }
  return rule;
}

export function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

const firing = (state: ScheduleState | undefined): state is ScheduleState => state?.status === 'active';

/** The state each acknowledged change left the schedule in (undefined: deleted). */
function statesAfter(schedule: AcknowledgedSchedule): (ScheduleState | undefined)[] {
  return schedule.changes.map((c) => (c.kind === 'delete' ? undefined : c.state));
}

/** Which state governs instant `t`, by the acknowledged changes (see `Governance`). */
export function governance(schedule: AcknowledgedSchedule, t: Millis, changeGraceMs: number): Governance {
  const after = statesAfter(schedule);
  const boundary: ScheduleState[] = [];
  let inBoundary = false;
  for (const [i, change] of schedule.changes.entries()) {
    const before = i === 0 ? undefined : after[i - 1];
    // A create cancels nothing, so it has no grace before it is sent.
    const opens = change.sentAt - (firing(before) ? changeGraceMs : 0);
    if (t < opens || t > change.ackAt) continue;
    inBoundary = true;
    for (const state of [before, after[i]]) if (firing(state)) boundary.push(state);
  }
  if (inBoundary) return { kind: 'boundary', states: boundary };
  let last = -1;
  for (const [i, change] of schedule.changes.entries()) if (change.ackAt < t) last = i;
  if (last < 0) return { kind: 'none', reason: 'before create' };
  const state = after[last];
  if (!state) return { kind: 'none', reason: 'deleted' };
  if (state.status === 'paused') return { kind: 'none', reason: 'paused' };
  return { kind: 'firm', state };
}

const has = (state: ScheduleState, t: Millis) => {
  const at = new Date(t);
  return compiled(state).between(at, at, 1).length > 0;
};

/** Whether `t` is an occurrence of the schedule, and if so whether it had to fire and where. */
export function expectationAt(
  schedule: AcknowledgedSchedule,
  t: Millis,
  changeGraceMs: number,
): { expected: ExpectedOccurrence } | { unexpected: UnexpectedReason } {
  const g = governance(schedule, t, changeGraceMs);
  if (g.kind === 'none') return { unexpected: g.reason };
  const states = (g.kind === 'firm' ? [g.state] : g.states).filter((s) => firing(s) && has(s, t));
  if (states.length === 0) return { unexpected: 'not in the rule' };
  return {
    expected: {
      scheduleId: schedule.id,
      at: t,
      required: g.kind === 'firm',
      paths: new Set(states.map((s) => pathOf(s.callbackUrl))),
    },
  };
}

/**
 * Every occurrence the acknowledged changes ask for, up to `until`: the union of each state's
 * rule occurrences from the create on, each judged by the state that governs its instant.
 */
export function expectedOccurrences(
  schedule: AcknowledgedSchedule,
  until: Millis,
  changeGraceMs: number,
): ExpectedOccurrence[] {
  const first = schedule.changes[0];
  if (!first) return [];
  const from = new Date(first.sentAt);
  const instants = new Set<Millis>();
  for (const change of schedule.changes) {
    if (!change.state) continue;
    for (const at of compiled(change.state).between(from, new Date(until), 100_000)) instants.add(at.getTime());
  }
  return [...instants]
    .sort((a, b) => a - b)
    .flatMap((t) => {
      const e = expectationAt(schedule, t, changeGraceMs);
      return 'expected' in e ? [e.expected] : [];
    });
}
