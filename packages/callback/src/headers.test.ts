import { describe, expect, it } from '@jest/globals';
import { headerProblem, isReservedHeader } from './headers.js';

describe('isReservedHeader', () => {
  it.each([
    'Host',
    'content-length',
    'Transfer-Encoding',
    'Connection',
    'Webhook-Signature',
    'webhook-anything',
    'Idempotency-Key',
    'X-Attempt',
    'x-schedule-id',
    'x-event-id',
    'x-scheduled-time',
    'Proxy-Authorization',
    'proxy-foo',
    ':authority',
  ])('reserves %s', (name) => {
    expect(isReservedHeader(name)).toBe(true);
  });

  it.each(['X-Team', 'Authorization', 'Content-Type', 'User-Agent', 'x-attempts-left'])(
    'leaves %s to users',
    (name) => {
      expect(isReservedHeader(name)).toBe(false);
    },
  );
});

describe('headerProblem (what the HTTP client would refuse to send)', () => {
  it.each([
    ['X-A', 'plain'],
    ['X-Tab', 'a\tb'],
    ['X-Latin1', 'café'],
    ['X-Empty', ''],
    ['x.dotted', 'ok'],
  ])('accepts %s: %j', (name, value) => {
    expect(headerProblem(name, value)).toBeNull();
  });

  it.each([
    ['X-A', 'a\u0100'],
    ['X-A', 'emoji \u{1F600}'],
    ['X-A', 'del\u007f'],
    ['X-A', 'bell\u0007'],
    ['X-A', 'a\r\nX-B: b'],
    ['X-A', 'nul\u0000'],
  ])('refuses the value of %s: %j', (name, value) => {
    expect(headerProblem(name, value)).toMatch(/character an HTTP header cannot carry/);
  });

  it.each(['Bad Name', '', 'é', 'a:b', 'x\r\n'])('refuses the name %j', (name) => {
    expect(headerProblem(name, 'v')).toMatch(/not a valid header name/);
  });

  it('refuses reserved names whatever the value', () => {
    expect(headerProblem('Idempotency-Key', 'mine')).toMatch(/set by the scheduler/);
  });
});
