import type { Schedule } from '@event-scheduler/models';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Fence } from './verdict.js';

/**
 * A schedule as the delivery path needs it, kept in Redis beside the plan: its fence (version and
 * status, for {@link verdictOf}), everything a callback is built from, and what the dispatcher's
 * misfire check needs for a late send. Written by the API on every change (before it answers)
 * and by planners; a write never replaces a newer version. Dispatchers and workers read it
 * instead of the database; when it is missing (Redis lost it) they read the schedule and put
 * it back.
 */
export const ScheduleSnapshot = Type.Object(
  {
    v: Type.Integer({ minimum: 1 }),
    status: Type.Union([
      Type.Literal('active'),
      Type.Literal('paused'),
      Type.Literal('completed'),
      Type.Literal('deleted'),
    ]),
    tenant_id: Type.String(),
    name: Type.String(),
    callback_url: Type.String(),
    method: Type.String(),
    headers_json: Type.Union([Type.String(), Type.Null()]),
    body: Type.Union([Type.String(), Type.Null()]),
    timeout_ms: Type.Integer({ minimum: 1 }),
    retry_policy: Type.Object({
      max_attempts: Type.Integer({ minimum: 1 }),
      min_backoff_ms: Type.Integer({ minimum: 0 }),
      max_backoff_ms: Type.Integer({ minimum: 0 }),
    }),
    overlap_policy: Type.Union([Type.Literal('allow'), Type.Literal('skip'), Type.Literal('cancel_previous')]),
    max_consecutive_failures: Type.Integer({ minimum: 0 }),
    misfire_policy: Type.Union([Type.Literal('fire_once'), Type.Literal('fire_all'), Type.Literal('skip')]),
    misfire_grace_seconds: Type.Integer({ minimum: 0 }),
    rrule: Type.String(),
    timezone: Type.String(),
    metadata: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: false },
);
export type ScheduleSnapshot = Static<typeof ScheduleSnapshot>;

const isSnapshot = Compile(ScheduleSnapshot);

export type SnapshotSource = Pick<
  Schedule,
  | 'version'
  | 'status'
  | 'deleted_at'
  | 'tenant_id'
  | 'name'
  | 'callback_url'
  | 'method'
  | 'headers_json'
  | 'body'
  | 'timeout_ms'
  | 'retry_policy'
  | 'overlap_policy'
  | 'max_consecutive_failures'
  | 'misfire_policy'
  | 'misfire_grace_seconds'
  | 'rrule'
  | 'timezone'
  | 'metadata'
>;

/** The snapshot of a stored schedule. */
export function snapshotOf(s: SnapshotSource): ScheduleSnapshot {
  return {
    v: s.version,
    status: s.deleted_at ? 'deleted' : s.status,
    tenant_id: s.tenant_id,
    name: s.name,
    callback_url: s.callback_url,
    method: s.method,
    headers_json: s.headers_json,
    body: s.body,
    timeout_ms: s.timeout_ms,
    retry_policy: {
      max_attempts: s.retry_policy.max_attempts,
      min_backoff_ms: s.retry_policy.min_backoff_ms,
      max_backoff_ms: s.retry_policy.max_backoff_ms,
    },
    overlap_policy: s.overlap_policy,
    max_consecutive_failures: s.max_consecutive_failures,
    misfire_policy: s.misfire_policy,
    misfire_grace_seconds: s.misfire_grace_seconds,
    rrule: s.rrule,
    timezone: s.timezone,
    metadata: { ...(s.metadata ?? {}) },
  };
}

/** Parses a stored snapshot; null for anything that is not one (then the schedule is read). */
export function parseSnapshot(text: string | null): ScheduleSnapshot | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isSnapshot.Check(value) ? value : null;
  } catch {
    return null;
  }
}

export const fenceOf = (snapshot: ScheduleSnapshot): Fence => ({ version: snapshot.v, status: snapshot.status });
