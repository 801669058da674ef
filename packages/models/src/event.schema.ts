import { type Connection, Schema, type Types } from 'mongoose';

export const EVENT_STATUSES = [
  'scheduled',
  'dispatched',
  'delivering',
  'retry_scheduled',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Statuses an event is archived with: nothing more happens to it (but a redelivery of a failure). */
export const FINAL_EVENT_STATUSES = [
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const satisfies readonly EventStatus[];
export type FinalEventStatus = (typeof FINAL_EVENT_STATUSES)[number];

/**
 * Statuses a live event is stored with while it waits for its next send. The others (`dispatched`,
 * `delivering`) are moments recorded in its history, never written as its status: writing them
 * would cost the database a statement per occurrence on the hot path.
 */
export const WAITING_EVENT_STATUSES = ['scheduled', 'retry_scheduled'] as const satisfies readonly EventStatus[];

/** Why an event exists: planned from the rule, fired by `POST .../trigger`, or by a backfill. */
export const EVENT_KINDS = ['rule', 'manual', 'backfill'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface StatusChange {
  time: Date;
  status: EventStatus;
  message: string | null;
}

/** One HTTP attempt of a callback. */
export interface Attempt {
  /** 1 for the first attempt. */
  number: number;
  started_at: Date;
  duration_ms: number;
  /** HTTP status when a response came back. */
  status_code: number | null;
  /** Set when the attempt failed: `timeout`, `network`, `http_status`, `ssrf_blocked`, `response_too_large`, ... */
  error_kind: string | null;
  error_message: string | null;
  /** The first bytes of the response body (at most 4 KiB). */
  response_snippet: string | null;
}

/**
 * One occurrence of a schedule: the unit that is planned, dispatched and delivered once. Its `_id`
 * (derived from schedule, version, instant and kind by the engine, so re-planning finds the same
 * one) is the idempotency key every attempt carries, and it keeps that id when it is archived.
 * The live copy in `events` is written when the occurrence is planned and, on the way, only when
 * an attempt fails and waits for a retry; its outcome is an insert into `archived_events`, which
 * wins over the live copy from then on (the live copy is purged later, in bulk).
 */
export interface EventDoc {
  tenant_id: string;
  schedule_id: Types.ObjectId;
  schedule_version: number;
  occurrence_at: Date;
  kind: EventKind;
  status: EventStatus;
  history: StatusChange[];
  attempts: Attempt[];
  /** When the next send is due while `retry_scheduled` (or a requested redelivery is waiting). */
  next_attempt_at: Date | null;
  /** Redeliveries requested so far (0: the original delivery). A redelivery survives rule changes. */
  round: number;
  /** Attempts recorded before the current round began (the retry policy counts the ones after). */
  round_start: number;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A finished event in `archived_events`, purged `archived_at` + retention later. */
export interface ArchivedEventDoc extends EventDoc {
  archived_at: Date;
}

const statusChangeSchema = new Schema<StatusChange>(
  {
    time: { type: Date, required: true },
    status: { type: String, required: true, enum: EVENT_STATUSES },
    message: { type: String, default: null },
  },
  { _id: false },
);

const attemptSchema = new Schema<Attempt>(
  {
    number: { type: Number, required: true },
    started_at: { type: Date, required: true },
    duration_ms: { type: Number, required: true },
    status_code: { type: Number, default: null },
    error_kind: { type: String, default: null },
    error_message: { type: String, default: null },
    response_snippet: { type: String, default: null },
  },
  { _id: false },
);

const eventFields = {
  tenant_id: { type: String, required: true },
  schedule_id: { type: Schema.Types.ObjectId, required: true },
  schedule_version: { type: Number, required: true },
  occurrence_at: { type: Date, required: true },
  kind: { type: String, required: true, enum: EVENT_KINDS, default: 'rule' },
  status: { type: String, required: true, enum: EVENT_STATUSES, default: 'scheduled' },
  history: { type: [statusChangeSchema], default: () => [] },
  attempts: { type: [attemptSchema], default: () => [] },
  next_attempt_at: { type: Date, default: null },
  round: { type: Number, required: true, default: 0 },
  round_start: { type: Number, required: true, default: 0 },
  finished_at: { type: Date, default: null },
} as const;

const options = { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false } as const;

export const eventSchema = new Schema<EventDoc>(eventFields, options);

// One occurrence = one event: its `_id` is derived from the occurrence, so planning twice, or from
// two prequeuers at once, inserts it once (the unique `_id` index, never findOneAndUpdate, which is
// not atomic on FerretDB v1).
// Reconciliation: live events waiting for a send, oldest first; and the bulk purge of old ones.
eventSchema.index({ status: 1, occurrence_at: 1 });
eventSchema.index({ occurrence_at: 1 });
// A tenant's pending events of one schedule (GET /api/schedules/{id}/events/pending), and cancelling them.
eventSchema.index({ tenant_id: 1, schedule_id: 1, occurrence_at: 1 });

export const archivedEventSchema = new Schema<ArchivedEventDoc>(
  { ...eventFields, archived_at: { type: Date, required: true } },
  options,
);

// A tenant's history of one schedule, newest first (GET /api/schedules/{id}/events/history).
archivedEventSchema.index({ tenant_id: 1, schedule_id: 1, occurrence_at: -1 });
// "Recover since T": a tenant's failed events in a window (POST /api/events/retry).
archivedEventSchema.index({ tenant_id: 1, status: 1, finished_at: 1 });
// The retention purge: oldest archived first (FerretDB v1 has no TTL indexes).
archivedEventSchema.index({ archived_at: 1 });

export const eventModel = (connection: Connection) => connection.model<EventDoc>('Event', eventSchema, 'events');
export const archivedEventModel = (connection: Connection) =>
  connection.model<ArchivedEventDoc>('ArchivedEvent', archivedEventSchema, 'archived_events');
