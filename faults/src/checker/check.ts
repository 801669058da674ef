import { type ExpectedOccurrence, expectationAt, expectedOccurrences } from './expected.js';
import { lateness, recoveries } from './timing.js';
import {
  type AcknowledgedSchedule,
  type Arrival,
  type CheckInput,
  type CheckOptions,
  type CheckReport,
  DEFAULT_CHECK_OPTIONS,
  type FinalEvent,
  type LostOccurrence,
  type Millis,
  type Mismatch,
  type Unexpected,
} from './types.js';

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const occurrenceKey = (scheduleId: string, at: Millis) => `${scheduleId}@${at}`;

/** One delivered occurrence, for timing. */
export interface FirstDelivery {
  tenant: string;
  at: Millis;
  arrivedAt: Millis;
}

interface Context {
  input: CheckInput;
  options: CheckOptions;
  schedules: Map<string, AcknowledgedSchedule>;
  events: Map<string, FinalEvent>;
  arrivals: Map<string, Arrival[]>;
}

/**
 * Every webhook id in the log is identified through its event (the id is the event's): a
 * delivery nobody asked for (unknown, another tenant's, a paused or deleted schedule's, an
 * occurrence outside the governing rule, to a URL no governing version had) is unexpected.
 */
function unexpectedDeliveries({ input, options, schedules, events, arrivals }: Context): Unexpected[] {
  const found: Unexpected[] = [];
  for (const [webhookId, seen] of arrivals) {
    const first = seen[0];
    const event = events.get(webhookId);
    const flag = (reason: Unexpected['reason']) =>
      found.push({
        webhookId,
        reason,
        scheduleId: event?.scheduleId ?? first?.scheduleId ?? null,
        at: event?.occurrenceAt ?? first?.scheduledAt ?? null,
      });
    if (!event) flag('unknown event');
    else if (seen.some((a) => a.tenant !== event.tenant)) flag('other tenant');
    else {
      const schedule = schedules.get(event.scheduleId);
      if (!schedule) flag('unacknowledged schedule');
      else if (event.kind !== 'rule') flag('not a rule occurrence');
      else if (event.occurrenceAt <= input.observedUntil) {
        const e = expectationAt(schedule, event.occurrenceAt, options.changeGraceMs);
        if ('unexpected' in e) flag(e.unexpected);
        else if (seen.some((a) => !e.expected.paths.has(a.path))) flag('wrong callback url');
        else if (schedule.intent === 'fail' && seen.some((a) => a.success)) flag('refused by design but succeeded');
      }
    }
  }
  return found;
}

/** Where the final database state and the receiver's log disagree about one event. */
function disagreements(event: FinalEvent, seen: readonly Arrival[]): Mismatch[] {
  const found: Mismatch[] = [];
  const add = (reason: string) => found.push({ webhookId: event.id, reason });
  const succeeded = seen.some((a) => a.success);
  if (succeeded && event.status !== 'succeeded') add(`the receiver answered 2xx, the event ended ${event.status}`);
  if (!succeeded && event.status === 'succeeded') add('the event ended succeeded, the receiver never answered 2xx');
  const numbers = groupBy(
    seen.filter((a) => a.attempt !== null),
    (a) => String(a.attempt),
  );
  for (const [n, same] of numbers) if (same.length > 1) add(`x-attempt ${n} was sent ${same.length} times`);
  if (event.attempts < seen.length)
    add(`the event records ${event.attempts} attempts, the receiver saw ${seen.length}`);
  return found;
}

/** An excused duplicate: its occurrence first succeeded inside a fault window (the ack may have been lost). */
function insideFault(input: CheckInput, options: CheckOptions, at: Millis): boolean {
  return input.faults.some((w) => at >= w.start - options.dupSlackBeforeMs && at <= w.end + options.dupSlackAfterMs);
}

/** Runs the checks of the suite over one run: see `CheckReport` for what each count means. */
export function check(input: CheckInput): CheckReport {
  const options = { ...DEFAULT_CHECK_OPTIONS, ...input.options };
  const sortedArrivals = [...input.arrivals].sort((a, b) => a.arrivedAt - b.arrivedAt);
  const ctx: Context = {
    input,
    options,
    schedules: new Map(input.schedules.map((s) => [s.id, s])),
    events: new Map(input.events.map((e) => [e.id, e])),
    arrivals: groupBy(sortedArrivals, (a) => a.webhookId),
  };
  const byOccurrence = groupBy(
    input.events.filter((e) => e.kind === 'rule'),
    (e) => occurrenceKey(e.scheduleId, e.occurrenceAt),
  );
  const report: CheckReport = {
    expected: 0,
    delivered: 0,
    failed: 0,
    lost: [],
    duplicates: { total: 0, unexcused: 0 },
    unexpected: unexpectedDeliveries(ctx),
    badSignatures: input.arrivals.filter((a) => !a.signatureValid).length,
    mismatches: [],
    optional: { total: 0, fired: 0 },
    lateness: lateness([], options.lateAfterMs),
    latenessByTenant: {},
    recovery: [],
  };
  const firsts: FirstDelivery[] = [];
  for (const schedule of input.schedules) {
    for (const o of expectedOccurrences(schedule, input.observedUntil, options.changeGraceMs)) {
      const first = judgeOccurrence(ctx, report, schedule, o, byOccurrence.get(occurrenceKey(o.scheduleId, o.at)));
      if (first) firsts.push(first);
    }
  }
  for (const event of input.events) {
    if (!ctx.schedules.has(event.scheduleId) || event.occurrenceAt > input.observedUntil) continue;
    report.mismatches.push(...disagreements(event, ctx.arrivals.get(event.id) ?? []));
  }
  report.lateness = lateness(firsts, options.lateAfterMs);
  for (const tenant of new Set(firsts.map((f) => f.tenant)))
    report.latenessByTenant[tenant] = lateness(
      firsts.filter((f) => f.tenant === tenant),
      options.lateAfterMs,
    );
  report.recovery = recoveries(input.faults, firsts, report.lost, options);
  return report;
}

/** Counts one expected occurrence; returns its first delivery when it is a required one. */
function judgeOccurrence(
  ctx: Context,
  report: CheckReport,
  schedule: AcknowledgedSchedule,
  o: ExpectedOccurrence,
  events: FinalEvent[] = [],
): FirstDelivery | undefined {
  // A change cancels the planned copy and plans the occurrence again: a cancelled (or skipped)
  // copy nobody received is expected; two live or attempted copies are not.
  const live = events.filter(
    (e) => !(e.status === 'cancelled' || e.status === 'skipped') || (ctx.arrivals.get(e.id)?.length ?? 0) > 0,
  );
  if (live.length > 1)
    for (const extra of live.slice(1))
      report.mismatches.push({ webhookId: extra.id, reason: `${live.length} events for one occurrence` });
  const seen = events
    .flatMap((e) => ctx.arrivals.get(e.id) ?? [])
    .filter((a) => o.paths.has(a.path))
    .sort((a, b) => a.arrivedAt - b.arrivedAt);
  const firstIndex = schedule.intent === 'fail' ? -1 : seen.findIndex((a) => a.success);
  const first = seen[firstIndex];
  if (first) {
    const after = seen.length - firstIndex - 1;
    report.duplicates.total += after;
    if (!insideFault(ctx.input, ctx.options, first.arrivedAt)) report.duplicates.unexcused += after;
  }
  if (!o.required) {
    report.optional.total += 1;
    if (first) report.optional.fired += 1;
    return undefined;
  }
  report.expected += 1;
  if (first) {
    report.delivered += 1;
    return { tenant: schedule.tenant, at: o.at, arrivedAt: first.arrivedAt };
  }
  const failed = events.some((e) => e.status === 'failed');
  if (failed && schedule.intent !== 'deliver') report.failed += 1;
  else {
    const lost: LostOccurrence = {
      scheduleId: o.scheduleId,
      at: o.at,
      status: (live[0] ?? events[0])?.status ?? 'no event',
      arrivals: seen.length,
    };
    report.lost.push(lost);
  }
  return undefined;
}
