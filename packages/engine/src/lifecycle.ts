import {
  EVENT_STATUSES,
  type EventStatus,
  FINAL_EVENT_STATUSES,
  type StatusChange,
  WAITING_EVENT_STATUSES,
} from '@event-scheduler/models';

/**
 * Every move an event can make, as one table: the statuses it may go to from each status.
 * `dispatched` and `delivering` are recorded in an event's history (the dispatcher's release,
 * the start of an attempt) but never stored as its status: a live event is `scheduled` or
 * `retry_scheduled` until its outcome is archived. `failed -> scheduled` is a redelivery.
 */
export const TRANSITIONS: Readonly<Record<EventStatus, readonly EventStatus[]>> = {
  scheduled: ['dispatched', 'skipped', 'cancelled'],
  dispatched: ['delivering', 'skipped', 'cancelled'],
  delivering: ['succeeded', 'failed', 'retry_scheduled', 'cancelled'],
  retry_scheduled: ['dispatched', 'cancelled'],
  succeeded: [],
  failed: ['scheduled'],
  skipped: [],
  // An attempt already in flight when a change cancelled its event and then answered 2xx: the
  // callback was delivered, and the history says so (the one way out of a final status).
  cancelled: ['succeeded'],
};

/** Statuses after which nothing more happens to an event (it lives in `archived_events`). */
export const FINAL_STATUSES = FINAL_EVENT_STATUSES;

/** Statuses a live event is stored with while it waits for its next send. */
export const WAITING_STATUSES: readonly EventStatus[] = WAITING_EVENT_STATUSES;

export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Every status that is neither waiting nor final is a moment in the history, never stored. */
export const MOMENT_STATUSES: readonly EventStatus[] = EVENT_STATUSES.filter(
  (s) => !WAITING_STATUSES.includes(s) && !(FINAL_STATUSES as readonly EventStatus[]).includes(s),
);

export function canMove(from: EventStatus, to: EventStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class TransitionError extends Error {
  constructor(
    readonly from: EventStatus,
    readonly to: EventStatus,
  ) {
    super(`an event cannot move from ${from} to ${to}`);
    this.name = 'TransitionError';
  }
}

/**
 * The history with `steps` appended, each checked against the table from the status before it.
 * The one way history grows, so no code path can record a move the table does not allow.
 */
export function advance(history: readonly StatusChange[], ...steps: StatusChange[]): StatusChange[] {
  const next = [...history];
  for (const step of steps) {
    const from = next.at(-1)?.status;
    if (from !== undefined && !canMove(from, step.status)) throw new TransitionError(from, step.status);
    next.push(step);
  }
  return next;
}
