import { type AllowList, blockedTarget, headerProblem } from '@event-scheduler/callback';
import type { RetryPolicy } from '@event-scheduler/models';
import { AppError, type ErrorDetail, invalidField } from '../errors.js';

/** Largest callback body, in bytes of the text sent. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * Deepest nesting of a JSON body: far beyond what a callback payload needs, far below what
 * JSON.stringify and the receivers' parsers survive (10,000 levels overflow the stack).
 */
export const MAX_BODY_DEPTH = 32;

/** An http(s) URL without credentials; anything else is a validation error on `callback_url`. */
export function checkCallbackUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidField('callback_url', 'must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidField('callback_url', 'must use http or https');
  }
  if (url.username || url.password) throw invalidField('callback_url', 'must not contain credentials');
  if (!url.hostname) throw invalidField('callback_url', 'must name a host');
  return text;
}

/** ipaddr.js's range names in the API's snake_case: `linkLocal` -> `link_local`. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Refuses a callback URL (already checked by {@link checkCallbackUrl}) whose host is an address
 * literal the worker would refuse to connect to, in any spelling (`2130706433`, `[::ffff:a9fe:a9fe]`),
 * unless `worker.ssrf_allow_list` allows it. Host names are left to the worker, which judges the
 * addresses they resolve to when it connects.
 */
export function checkCallbackTarget(text: string, allow: AllowList): void {
  const blocked = blockedTarget(new URL(text), allow);
  if (!blocked) return;
  const message = `${blocked.message}; callbacks to it are refused unless worker.ssrf_allow_list allows it`;
  throw new AppError('callback_url_blocked', `callback_url: ${message}`, {
    details: [{ field: 'callback_url', message, code: snakeCase(blocked.range) }],
  });
}

/** Validated callback headers as the JSON text stored in `headers_json` (null when there are none). */
export function headersJson(headers: Record<string, string> | undefined): string | null {
  if (!headers) return null;
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const problem = headerProblem(name, value);
    if (problem) details.push({ field: `headers.${name}`, message: problem });
    else if (seen.has(lower)) {
      details.push({ field: `headers.${name}`, message: 'duplicate header name (names are case-insensitive)' });
    }
    seen.add(lower);
  }
  if (details.length > 0) {
    throw new AppError('validation_failed', details.map((d) => `${d.field}: ${d.message}`).join('; '), { details });
  }
  return Object.keys(headers).length > 0 ? JSON.stringify(headers) : null;
}

/** The body as the exact text to send: strings verbatim, JSON values as their JSON text. */
export function bodyText(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'string' && nestedDeeperThan(body, MAX_BODY_DEPTH)) {
    throw invalidField('body', `must not be nested more than ${MAX_BODY_DEPTH} levels deep`);
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw invalidField('body', `must be at most 64 KiB (${MAX_BODY_BYTES} bytes) as sent; this one is ${bytes} bytes`);
  }
  return text;
}

/** Whether arrays and objects nest more than `limit` levels; walked without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** `base` with the fields of `patch` that are set; min_backoff_ms may not exceed max_backoff_ms. */
export function mergeRetryPolicy(base: RetryPolicy, patch: Partial<RetryPolicy> | undefined): RetryPolicy {
  const merged = {
    max_attempts: patch?.max_attempts ?? base.max_attempts,
    min_backoff_ms: patch?.min_backoff_ms ?? base.min_backoff_ms,
    max_backoff_ms: patch?.max_backoff_ms ?? base.max_backoff_ms,
  };
  if (merged.min_backoff_ms > merged.max_backoff_ms) {
    throw invalidField('retry_policy.min_backoff_ms', 'must not be larger than retry_policy.max_backoff_ms');
  }
  return merged;
}

export function parseHeadersJson(text: string | null): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
