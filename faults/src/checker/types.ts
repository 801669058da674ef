/** Epoch milliseconds. */
export type Millis = number;

/** A schedule as the API answered a change: what governs its occurrences from then on. */
export interface ScheduleState {
  rrule: string;
  timezone: string;
  callbackUrl: string;
  status: 'active' | 'paused' | 'completed';
  version: number;
}

/** A change the harness asked of the API and the API acknowledged with a 2xx. */
export interface AcknowledgedChange {
  kind: 'create' | 'update' | 'pause' | 'resume' | 'delete';
  /** When the request left the harness and when its 2xx answer arrived. */
  sentAt: Millis;
  ackAt: Millis;
  /** The schedule in the answer; absent for a delete (204). */
  state?: ScheduleState;
}

/**
 * What the harness wants from each occurrence of a schedule, given what its receiver does:
 * `deliver` (a final failure counts as lost: its retries were sized to outlast the fault),
 * `deliver_or_fail` (either end is fine, e.g. the receiver fails for longer than the retries last),
 * `fail` (the receiver refuses every call by design; a success would be unexpected).
 */
export type Intent = 'deliver' | 'deliver_or_fail' | 'fail';

export interface AcknowledgedSchedule {
  id: string;
  /** The harness's label of the tenant that owns it (the receiver path carries the same label). */
  tenant: string;
  /** Acknowledged changes in the order they were sent; the first is the create. */
  changes: AcknowledgedChange[];
  intent: Intent;
}

/** How the receiver answered one request. */
export type ReplyKind = 'status' | 'hang' | 'reset' | 'drip' | 'bloat' | 'redirect';

/** One request as the scripted receiver logged it. */
export interface Arrival {
  webhookId: string;
  /** `x-attempt`, or null when absent or not a number. */
  attempt: number | null;
  arrivedAt: Millis;
  /** Tenant label from the path (`/t/<tenant>/...`), or null for a path outside that shape. */
  tenant: string | null;
  /** The request path, query included. */
  path: string;
  /** `x-schedule-id` and `x-scheduled-time` as sent (for reports; identity comes from the event). */
  scheduleId: string | null;
  scheduledAt: Millis | null;
  /** Whether the Standard Webhooks signature verified with the path tenant's secret. */
  signatureValid: boolean;
  reply: ReplyKind;
  /** The status sent, when a status line was sent. */
  status: number | null;
  /** The receiver answered a complete 2xx: the occurrence reached its target. */
  success: boolean;
}

export type EventStatus =
  | 'scheduled'
  | 'dispatched'
  | 'delivering'
  | 'retry_scheduled'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled';

/** An event as the API shows it at the end of a run. */
export interface FinalEvent {
  id: string;
  /** The label of the tenant whose key finds it. */
  tenant: string;
  scheduleId: string;
  occurrenceAt: Millis;
  kind: 'rule' | 'manual' | 'backfill';
  status: EventStatus;
  /** Attempts in its history. */
  attempts: number;
}

/** When a fault was active: from the first injected failure until the component was back. */
export interface FaultWindow {
  name: string;
  start: Millis;
  end: Millis;
}

export interface CheckOptions {
  /** A first delivery later than this after its due instant is late. */
  lateAfterMs: number;
  /** Occurrences due this long before a change was sent may be cancelled by it (in flight). */
  changeGraceMs: number;
  /** A success this long before a fault window opened may still be re-sent because of it. */
  dupSlackBeforeMs: number;
  /** ...or this long after it closed (components reconnecting). */
  dupSlackAfterMs: number;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  lateAfterMs: 3000,
  changeGraceMs: 1000,
  dupSlackBeforeMs: 1000,
  dupSlackAfterMs: 5000,
};

export interface CheckInput {
  schedules: readonly AcknowledgedSchedule[];
  arrivals: readonly Arrival[];
  /** Every event the collector found: those of the acknowledged schedules and those the log names. */
  events: readonly FinalEvent[];
  faults: readonly FaultWindow[];
  /** Occurrences due after this are not judged (the run stopped observing there). */
  observedUntil: Millis;
  options?: Partial<CheckOptions>;
}

export type UnexpectedReason =
  | 'before create'
  | 'paused'
  | 'deleted'
  | 'not in the rule'
  | 'wrong callback url'
  | 'refused by design but succeeded'
  | 'other tenant'
  | 'unknown event'
  | 'unacknowledged schedule'
  | 'not a rule occurrence';

export interface LostOccurrence {
  scheduleId: string;
  at: Millis;
  /** The event's final status, or 'no event'. */
  status: EventStatus | 'no event';
  arrivals: number;
}

export interface Unexpected {
  webhookId: string;
  reason: UnexpectedReason;
  scheduleId: string | null;
  at: Millis | null;
}

export interface Mismatch {
  webhookId: string;
  reason: string;
}

export interface Lateness {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Deliveries later than `lateAfterMs`. */
  late: number;
}

export interface Recovery {
  window: string;
  /** From the window's end until the last late first delivery it caused; null: never (something was lost). */
  ms: number | null;
}

export interface CheckReport {
  /** Occurrences that had to finish (delivered, or failed where the intent allows it). */
  expected: number;
  delivered: number;
  /** Finished `failed` where the intent allows it. */
  failed: number;
  lost: LostOccurrence[];
  /** Arrivals after an occurrence's first success; `unexcused` ones were outside every fault window. */
  duplicates: { total: number; unexcused: number };
  unexpected: Unexpected[];
  badSignatures: number;
  mismatches: Mismatch[];
  /** Occurrences in a change's in-flight window: they may fire once or not at all. */
  optional: { total: number; fired: number };
  lateness: Lateness;
  latenessByTenant: Record<string, Lateness>;
  recovery: Recovery[];
}
