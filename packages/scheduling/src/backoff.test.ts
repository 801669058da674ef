import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backoffDelay, parseRetryAfter } from './backoff.js';

const bounds = { minMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('spans [min, min * 2^retry] with the random source at its ends', () => {
    expect(backoffDelay({ ...bounds, retry: 1, random: () => 0 })).toBe(1000);
    expect(backoffDelay({ ...bounds, retry: 1, random: () => 0.999_999 })).toBe(2000);
    expect(backoffDelay({ ...bounds, retry: 3, random: () => 0.5 })).toBe(4500);
    expect(backoffDelay({ ...bounds, retry: 3, random: () => 1 })).toBe(8000);
  });

  it('stops doubling at the maximum, even for absurd retry numbers', () => {
    expect(backoffDelay({ ...bounds, retry: 10, random: () => 1 })).toBe(60_000);
    expect(backoffDelay({ ...bounds, retry: 10_000, random: () => 1 })).toBe(60_000);
    expect(backoffDelay({ ...bounds, retry: 10_000, random: () => 0 })).toBe(1000);
  });

  it('always stays within the bounds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retry, minMs, extra, r) => {
          const maxMs = minMs + extra;
          const delay = backoffDelay({ retry, minMs, maxMs, random: () => r });
          return delay >= minMs && delay <= maxMs && delay <= Math.max(minMs, minMs * 2 ** retry);
        },
      ),
    );
  });

  it('honours Retry-After, clamped to [min, retryAfterMax]', () => {
    const random = () => 0.5;
    expect(backoffDelay({ ...bounds, retry: 1, retryAfterMs: 30_000, random })).toBe(30_000);
    expect(backoffDelay({ ...bounds, retry: 1, retryAfterMs: 0, random })).toBe(1000);
    expect(backoffDelay({ ...bounds, retry: 1, retryAfterMs: 10 * 3_600_000, random })).toBe(60_000);
    expect(backoffDelay({ ...bounds, retry: 1, retryAfterMs: 90_000, retryAfterMaxMs: 120_000, random })).toBe(90_000);
    expect(backoffDelay({ ...bounds, retry: 1, retryAfterMs: null, random: () => 0 })).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['5', '7'], now)).toBe(5000);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-3', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
