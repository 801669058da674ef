import { describe, expect, it } from '@jest/globals';
import type { CallResult } from '../send/index.js';
import { judge, parseStatusList } from './outcome.js';

const rules = { retryable4xx: parseStatusList('408,429') };
const result = (over: Partial<CallResult>): CallResult => ({
  statusCode: null,
  headers: {},
  errorKind: null,
  errorMessage: null,
  snippet: null,
  durationMs: 1,
  ...over,
});

describe('judge', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [299, 'success'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [429, 'retry'],
    [400, 'fail'],
    [401, 'fail'],
    [404, 'fail'],
    [410, 'fail'],
    [301, 'fail'],
    [302, 'fail'],
  ])('HTTP %i -> %s', (statusCode, verdict) => {
    const judgement = judge(result({ statusCode }), rules);
    expect(judgement.verdict).toBe(verdict);
    expect(judgement.errorKind).toBe(verdict === 'success' ? null : 'http_status');
  });

  it('names the redirect it did not follow', () => {
    const judgement = judge(result({ statusCode: 302, headers: { location: 'http://10.0.0.1/' } }), rules);
    expect(judgement.errorMessage).toBe(
      'HTTP 302: redirect to http://10.0.0.1/ not followed (worker.follow_redirects is off)',
    );
  });

  it.each([
    ['timeout', 'retry'],
    ['network', 'retry'],
    ['aborted', 'retry'],
    ['ssrf_blocked', 'fail'],
    ['invalid_request', 'fail'],
  ] as const)('error %s -> %s', (errorKind, verdict) => {
    expect(judge(result({ errorKind, errorMessage: 'x' }), rules)).toEqual({ verdict, errorKind, errorMessage: 'x' });
  });

  it('fails a body over the cap unless the status asks for a retry', () => {
    const tooLarge = { errorKind: 'response_too_large' as const, errorMessage: 'too large' };
    expect(judge(result({ ...tooLarge, statusCode: 200 }), rules).verdict).toBe('fail');
    expect(judge(result({ ...tooLarge, statusCode: 404 }), rules).verdict).toBe('fail');
    expect(judge(result({ ...tooLarge, statusCode: 503 }), rules).verdict).toBe('retry');
  });

  it('is configurable: 4xx statuses listed are retried, an empty list retries none', () => {
    expect(judge(result({ statusCode: 404 }), { retryable4xx: parseStatusList('404, 409') }).verdict).toBe('retry');
    expect(judge(result({ statusCode: 429 }), { retryable4xx: parseStatusList('') }).verdict).toBe('fail');
    expect(judge(result({ statusCode: 503 }), { retryable4xx: parseStatusList('') }).verdict).toBe('retry');
  });
});
