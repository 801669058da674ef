import { type Connection, Schema } from 'mongoose';

export const SCHEDULE_STATUSES = ['active', 'paused', 'completed'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const MISFIRE_POLICIES = ['fire_once', 'fire_all', 'skip'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const OVERLAP_POLICIES = ['allow', 'skip', 'cancel_previous'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export interface RetryPolicy {
  /** Attempts in all, the first included; the default is `worker.max_retries` + 1. */
  max_attempts: number;
  min_backoff_ms: number;
  max_backoff_ms: number;
}

/**
 * The scheduling package's cursor, stored verbatim (in the schedule's plan) so planning never
 * re-walks a rule from DTSTART.
 */
export interface PlanCursor {
  last_at: string | null;
  count: number;
  anchor: string | null;
}

/**
 * A recurring schedule. Callback headers and body are stored as opaque strings: FerretDB v1 (and
 * MongoDB before 5.0) reject keys containing `.` or starting with `$`, and the worker must send
 * the exact bytes the user gave. `metadata` keys are restricted by the API to safe characters.
 *
 * Only changes of the schedule itself write this document: the API (and the engine's auto-pause
 * and completion), each conditional on the version it read. Planning progress lives in
 * `schedule_plans`, and the facts workers learn (last run, failure streak) in Redis, because
 * FerretDB v1 rewrites the whole document on an update and a concurrent writer of other fields
 * could restore stale ones (an acknowledged pause undone).
 */
export interface Schedule {
  tenant_id: string;
  name: string;
  /** Canonical rule text from the scheduling package: DTSTART always present. What planning reads. */
  rrule: string;
  /**
   * The rule exactly as the user sent it, shown back to them (absent on schedules saved before it
   * was kept). Never read by planning or delivery.
   */
  rrule_source?: string | null;
  timezone: string;
  callback_url: string;
  method: string;
  /** JSON object of header name -> value, kept as text (see above). */
  headers_json: string | null;
  /** Sent verbatim; null sends the JSON envelope. */
  body: string | null;
  timeout_ms: number;
  retry_policy: RetryPolicy;
  misfire_policy: MisfirePolicy;
  misfire_grace_seconds: number;
  overlap_policy: OverlapPolicy;
  /** Failed occurrences in a row that pause the schedule; 0 turns auto-pause off. */
  max_consecutive_failures: number;
  metadata: Record<string, string>;
  status: ScheduleStatus;
  paused_reason: string | null;
  paused_at: Date | null;
  /** Bumped by every change that invalidates planned events (rule, zone, callback, pause, delete). */
  version: number;
  /**
   * Occurrences at or before this instant are never planned: the creation time, or the time of the
   * last rule change or resume, so a DTSTART in the past does not fire history.
   */
  not_before: Date;
  /** Soft delete: a deleted schedule keeps its history but is invisible to the API. */
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const retryPolicySchema = new Schema<RetryPolicy>(
  {
    max_attempts: { type: Number, required: true },
    min_backoff_ms: { type: Number, required: true },
    max_backoff_ms: { type: Number, required: true },
  },
  { _id: false },
);

export const scheduleSchema = new Schema<Schedule>(
  {
    tenant_id: { type: String, required: true },
    name: { type: String, required: true },
    rrule: { type: String, required: true },
    rrule_source: { type: String, default: null },
    timezone: { type: String, required: true, default: 'UTC' },
    callback_url: { type: String, required: true },
    method: { type: String, required: true, default: 'POST' },
    headers_json: { type: String, default: null },
    body: { type: String, default: null },
    timeout_ms: { type: Number, required: true, default: 10_000 },
    retry_policy: { type: retryPolicySchema, required: true },
    misfire_policy: { type: String, required: true, enum: MISFIRE_POLICIES, default: 'fire_once' },
    misfire_grace_seconds: { type: Number, required: true, default: 60 },
    overlap_policy: { type: String, required: true, enum: OVERLAP_POLICIES, default: 'allow' },
    max_consecutive_failures: { type: Number, required: true, default: 0 },
    metadata: { type: Schema.Types.Mixed, default: () => ({}) },
    status: { type: String, required: true, enum: SCHEDULE_STATUSES, default: 'active' },
    paused_reason: { type: String, default: null },
    paused_at: { type: Date, default: null },
    version: { type: Number, required: true, default: 1 },
    not_before: { type: Date, required: true, default: () => new Date() },
    deleted_at: { type: Date, default: null },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false, minimize: false },
);

// Listing a tenant's schedules, newest first (filters on status and name narrow it further).
scheduleSchema.index({ tenant_id: 1, created_at: -1 });
// The planner's check for schedules changed lately whose plan of the new version is missing.
scheduleSchema.index({ updated_at: 1 });

export const scheduleModel = (connection: Connection) =>
  connection.model<Schedule>('Schedule', scheduleSchema, 'schedules');
