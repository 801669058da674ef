import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BACKOFF, defaultRetryPolicy } from './retry.js';

describe('defaultRetryPolicy', () => {
  it('is max_retries retries after the first attempt, backing off from 1 s up to 1 h', () => {
    expect(defaultRetryPolicy(5)).toEqual({ max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 3_600_000 });
    expect(defaultRetryPolicy(0).max_attempts).toBe(1);
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_BACKOFF)).toBe(true);
    const policy = defaultRetryPolicy(1);
    policy.max_backoff_ms = 1;
    expect(defaultRetryPolicy(1).max_backoff_ms).toBe(3_600_000);
  });
});
