/** A callback's retry policy, as stored on a schedule (`retry_policy`). */
export interface RetryPolicyDefaults {
  /** Attempts in all, the first included. */
  max_attempts: number;
  /** The shortest wait before a retry. */
  min_backoff_ms: number;
  /** The longest jittered wait before a retry. */
  max_backoff_ms: number;
}

/** Backoff bounds of a schedule that sets none: 1 s, growing exponentially up to 1 h. */
export const DEFAULT_BACKOFF = Object.freeze({ min_backoff_ms: 1000, max_backoff_ms: 3_600_000 });

/** The policy a schedule gets when it sets none: `worker.max_retries` retries after the first attempt. */
export function defaultRetryPolicy(maxRetries: number): RetryPolicyDefaults {
  return { max_attempts: maxRetries + 1, ...DEFAULT_BACKOFF };
}
