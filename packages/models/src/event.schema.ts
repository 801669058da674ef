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

/** Statuses after which nothing more happens to an event; such events move to `archived_events`. */
export const FINAL_EVENT_STATUSES: readonly EventStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

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
 * is the idempotency key every attempt carries, and it keeps that id when it is archived.
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
  /** When the next attempt is due while `retry_scheduled`. */
  next_attempt_at: Date | null;
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
  finished_at: { type: Date, default: null },
} as const;

const options = { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false } as const;

export const eventSchema = new Schema<EventDoc>(eventFields, options);

// One occurrence = one event: planning twice, or from two prequeuers at once, cannot duplicate it.
// Claims go through this unique insert, never findOneAndUpdate (not atomic on FerretDB v1).
eventSchema.index({ schedule_id: 1, occurrence_at: 1 }, { unique: true });
// Reconciliation and misfire handling: live events by status, oldest occurrence first.
eventSchema.index({ status: 1, occurrence_at: 1 });
// A tenant's pending events of one schedule (GET /api/schedules/{id}/events/pending).
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
