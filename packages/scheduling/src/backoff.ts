/** A source of uniform numbers in [0, 1), such as `Math.random`; passed in so tests control it. */
export type Random = () => number;

export interface BackoffInput {
  /** Which retry this is: 1 for the wait after the first failed attempt. */
  retry: number;
  /** The shortest wait (the schedule's `retry_policy.min_backoff_ms`). */
  minMs: number;
  /** The longest jittered wait (the schedule's `retry_policy.max_backoff_ms`). */
  maxMs: number;
  /** The receiver's `Retry-After`, in ms from now, when it sent one. */
  retryAfterMs?: number | null;
  /** The longest wait a `Retry-After` may ask for; default `maxMs`. */
  retryAfterMaxMs?: number;
  random: Random;
}

/**
 * The wait before a retry: exponential backoff with full jitter between the bounds. Retry `n`
 * waits a uniform random time in [minMs, min(maxMs, minMs * 2^n)], so retries spread out instead
 * of arriving in lockstep after an outage, and the ceiling doubles until it reaches `maxMs`.
 *
 * A `Retry-After` from the receiver wins over the jittered wait, clamped to
 * [minMs, retryAfterMaxMs]: we wait as long as asked, but never less than the minimum nor
 * unboundedly long. Pure: the random source is a parameter.
 */
export function backoffDelay({ retry, minMs, maxMs, retryAfterMs, retryAfterMaxMs, random }: BackoffInput): number {
  const low = Math.max(0, minMs);
  const high = Math.max(low, maxMs);
  if (retryAfterMs !== undefined && retryAfterMs !== null && Number.isFinite(retryAfterMs)) {
    const ceiling = Math.max(low, retryAfterMaxMs ?? high);
    return Math.round(Math.min(ceiling, Math.max(low, retryAfterMs)));
  }
  const exponent = Math.min(Math.max(1, Math.floor(retry)), 52);
  const ceiling = Math.min(high, low * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(low + r * (ceiling - low));
}

/**
 * Parses a `Retry-After` header (delay-seconds or an HTTP date) into ms from `now`; null when it
 * is absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined | null, now: Date): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}
