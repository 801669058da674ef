import { isReservedHeader } from '@event-scheduler/callback';
import type { RetryPolicy } from '@event-scheduler/models';
import { AppError, type ErrorDetail, invalidField } from '../errors.js';

const MAX_BODY_BYTES = 64 * 1024;

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

/** Validated callback headers as the JSON text stored in `headers_json` (null when there are none). */
export function headersJson(headers: Record<string, string> | undefined): string | null {
  if (!headers) return null;
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (isReservedHeader(lower)) {
      details.push({
        field: `headers.${name}`,
        message: 'this header is set by the scheduler and cannot be overridden',
      });
    } else if (seen.has(lower)) {
      details.push({ field: `headers.${name}`, message: 'duplicate header name (names are case-insensitive)' });
    } else if (/[\r\n\0]/.test(value)) {
      details.push({ field: `headers.${name}`, message: 'must not contain CR, LF or NUL' });
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
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw invalidField('body', 'must be at most 64 KiB');
  return text;
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
