import { isReservedHeader, signatureHeader } from '@event-scheduler/callback';
import type { EventRecord, Schedule } from '@event-scheduler/models';
import type { CallbackRequest } from '../send/index.js';

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

export interface RequestInput {
  schedule: Pick<Schedule, 'callback_url' | 'method' | 'headers_json' | 'body' | 'timeout_ms' | 'name' | 'metadata'> & {
    _id: EventRecord['schedule_id'] | string;
  };
  eventId: string;
  occurrenceAt: Date;
  /** This attempt's number (1 for the first), in `x-attempt` and the envelope. */
  attempt: number;
  /** Unix seconds of this attempt, signed. */
  timestamp: number;
  secrets: readonly string[];
  userAgent: string;
}

/**
 * The JSON body sent when a schedule has no body of its own: which occurrence this is, so a
 * receiver needs nothing else to act on it.
 */
export function envelope({ schedule, eventId, occurrenceAt, attempt }: RequestInput): string {
  return JSON.stringify({
    schedule_id: schedule._id.toString(),
    event_id: eventId,
    scheduled_at: occurrenceAt.toISOString(),
    attempt,
    name: schedule.name,
    metadata: schedule.metadata ?? {},
  });
}

/** The schedule's own headers (stored as JSON text); anything malformed or reserved is dropped. */
export function userHeaders(headersJson: string | null): Record<string, string> {
  if (!headersJson) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(headersJson);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    const lower = name.toLowerCase();
    if (isReservedHeader(lower) || typeof value !== 'string') continue;
    headers[lower] = value;
  }
  return headers;
}

/**
 * Builds one attempt's request: the schedule's method, URL and headers; its body verbatim (or the
 * envelope when it has none; no body at all for GET and HEAD); the identification headers; and the
 * Standard Webhooks signature over exactly the bytes sent. `webhook-id` and `idempotency-key` are
 * the event id, the same for every attempt of the occurrence, so receivers can de-duplicate.
 */
export function buildRequest(input: RequestInput): CallbackRequest {
  const { schedule, eventId, occurrenceAt, attempt, timestamp, secrets } = input;
  const method = schedule.method.toUpperCase();
  const hasBody = !METHODS_WITHOUT_BODY.has(method);
  const body = hasBody ? (schedule.body ?? envelope(input)) : null;
  const headers: Record<string, string> = { 'user-agent': input.userAgent, ...userHeaders(schedule.headers_json) };
  if (body !== null && (schedule.body === null || !headers['content-type'])) {
    headers['content-type'] = schedule.body === null || looksLikeJson(body) ? 'application/json' : 'text/plain';
  }
  Object.assign(headers, {
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, eventId, timestamp, body ?? ''),
    'idempotency-key': eventId,
    'x-schedule-id': schedule._id.toString(),
    'x-event-id': eventId,
    'x-scheduled-time': occurrenceAt.toISOString(),
    'x-attempt': String(attempt),
  });
  return { url: schedule.callback_url, method, headers, body, timeoutMs: schedule.timeout_ms };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
