import { describe, expect, it } from '@jest/globals';
import type { CheckReport, Lateness } from './checker/index.js';
import { verdict } from './verdict.js';

const onTime: Lateness = { count: 10, p50Ms: 50, p99Ms: 90, maxMs: 90, late: 0 };

function report(overrides: Partial<CheckReport> = {}): CheckReport {
  return {
    expected: 10,
    delivered: 10,
    failed: 0,
    lost: [],
    duplicates: { total: 0, unexcused: 0 },
    unexpected: [],
    badSignatures: 0,
    mismatches: [],
    optional: { total: 0, fired: 0 },
    lateness: onTime,
    latenessByTenant: { a: onTime },
    recovery: [],
    ...overrides,
  };
}

const goal = { recoveryMs: 10_000, what: 'within 10 s' };
const none = { checks: [], onTime: [], lateAfterMs: 3000 };

describe('the verdict', () => {
  it('passes a clean report', () => {
    expect(verdict({ goal }, report({ recovery: [{ window: 'kill', ms: 4000 }] }), none)).toEqual([]);
  });

  it('fails on every broken invariant, one line each', () => {
    const failures = verdict(
      {},
      report({
        lost: [{ scheduleId: 's', at: 1, status: 'retry_scheduled', arrivals: 1 }],
        unexpected: [{ webhookId: 'w', reason: 'paused', scheduleId: 's', at: 2 }],
        duplicates: { total: 3, unexcused: 1 },
        badSignatures: 2,
        mismatches: [{ webhookId: 'w', reason: 'x-attempt 1 was sent 2 times' }],
      }),
      none,
    );
    expect(failures).toEqual([
      '1 lost (final status: 1 × retry_scheduled)',
      '1 unexpected (1 × paused)',
      '1 duplicates after success outside any fault window',
      '2 callbacks whose signature does not verify',
      '1 database/log disagreements (1 × x-attempt N was sent N times)',
    ]);
  });

  it('holds recovery to the goal, and never catching up fails it', () => {
    const failures = verdict(
      { goal },
      report({
        recovery: [
          { window: 'first', ms: 12_000 },
          { window: 'second', ms: null },
        ],
      }),
      none,
    );
    expect(failures).toEqual([
      'caught up 12.0 s after "first" ended (goal: within 10 s)',
      'never caught up after "second" (goal: within 10 s)',
    ]);
  });

  it('fails late deliveries of a tenant that had to stay on time, and failed scenario checks', () => {
    const failures = verdict({}, report({ latenessByTenant: { a: { ...onTime, late: 2, maxMs: 7000 } } }), {
      checks: [{ name: 'a 410 is not retried', ok: false, detail: '3 retried' }],
      onTime: ['a'],
      lateAfterMs: 3000,
    });
    expect(failures).toEqual([
      '2 deliveries of tenant a later than 3.0 s (max 7.0 s)',
      'a 410 is not retried: 3 retried',
    ]);
  });
});
