/**
 * The API's wire types, as the console reads them (see openapi.yml). Written by hand rather than
 * generated: the console uses a small part of the document, and the e2e tests run it against the
 * real API, so a drift shows up there.
 */

export type ScheduleStatus = 'active' | 'paused' | 'completed';
export type EventStatus =
  | 'scheduled'
  | 'dispatched'
  | 'delivering'
  | 'retry_scheduled'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled';
export type Outcome = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export const MISFIRE_POLICIES = ['fire_once', 'fire_all', 'skip'] as const;
export const OVERLAP_POLICIES = ['allow', 'skip', 'cancel_previous'] as const;
export const CALLBACK_METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'] as const;

export interface Schedule {
  id: string;
  name: string;
  rrule: string;
  timezone: string;
  callback_url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeout_ms: number;
  retry_policy: { max_attempts: number; min_backoff_ms: number; max_backoff_ms: number };
  misfire_policy: string;
  misfire_grace_seconds: number;
  overlap_policy: string;
  max_consecutive_failures: number;
  consecutive_failures: number;
  metadata: Record<string, string>;
  status: ScheduleStatus;
  paused_reason: string | null;
  paused_at: string | null;
  next_run_at: string | null;
  last_run_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ScheduleList {
  schedules: Schedule[];
  page: number;
  limit: number;
  total: number;
}

export interface Attempt {
  number: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error_kind: string | null;
  error_message: string | null;
  response_snippet: string | null;
}

export interface EventItem {
  id: string;
  schedule_id: string;
  schedule_version: number;
  occurrence_at: string;
  kind: 'rule' | 'manual' | 'backfill';
  status: EventStatus;
  history: { time: string; status: EventStatus; message: string | null }[];
  attempts: Attempt[];
  next_attempt_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventList {
  events: EventItem[];
  page: number;
  limit: number;
  total: number;
}

export interface OccurrenceDetail {
  at: string;
  local: string;
  offset: string;
  dst: 'gap_shifted' | 'fold' | null;
}

export interface Preview {
  rrule: string;
  timezone: string;
  warnings: string[];
  occurrences: OccurrenceDetail[];
}

export interface SigningSecret {
  secret: string;
  previous_secret?: string;
  previous_expires_at?: string;
}

export type OutcomeCounts = Record<Outcome, number>;

export interface DeliveryStats {
  from: string;
  to: string;
  minutes: ({ minute: string } & OutcomeCounts)[];
  totals: OutcomeCounts;
  lateness: {
    count: number;
    p50_ms: number | null;
    p90_ms: number | null;
    p99_ms: number | null;
    max_ms: number | null;
    buckets: { le_ms: number | null; count: number }[];
  };
  truncated: boolean;
}

/** The body of every API error: `{"error": {code, message, details?}}`. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { field: string; message: string; code?: string; part?: string }[];
  };
}
