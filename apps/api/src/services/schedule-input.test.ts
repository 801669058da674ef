import { parseAllowList } from '@event-scheduler/callback';
import { describe, expect, it } from '@jest/globals';
import { AppError } from '../errors.js';
import {
  bodyText,
  checkCallbackTarget,
  checkCallbackUrl,
  headersJson,
  MAX_BODY_DEPTH,
  mergeRetryPolicy,
  parseHeadersJson,
} from './schedule-input.js';

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.details?.[0]?.field;
    throw error;
  }
  return undefined;
};

describe('schedule input', () => {
  it('accepts only http(s) callback URLs without credentials', () => {
    expect(checkCallbackUrl('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
    expect(checkCallbackUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    for (const url of ['ftp://x/', 'file:///etc/passwd', 'javascript:alert(1)', 'x', 'https://u:p@h/', 'http://']) {
      expect(fieldOf(() => checkCallbackUrl(url))).toBe('callback_url');
    }
  });

  it('keeps headers as JSON text and refuses the ones the scheduler owns', () => {
    expect(headersJson(undefined)).toBeNull();
    expect(headersJson({})).toBeNull();
    const text = headersJson({ 'X-A': '1', 'x.dotted': '2' });
    expect(parseHeadersJson(text)).toEqual({ 'X-A': '1', 'x.dotted': '2' });
    for (const name of ['Host', 'content-length', 'Transfer-Encoding', 'webhook-id', 'Proxy-Authorization']) {
      expect(fieldOf(() => headersJson({ [name]: 'x' }))).toBe(`headers.${name}`);
    }
    expect(fieldOf(() => headersJson({ 'X-A': '1', 'x-a': '2' }))).toBe('headers.x-a');
    expect(fieldOf(() => headersJson({ 'X-A': 'a\nb' }))).toBe('headers.X-A');
  });

  it('sends strings verbatim and JSON values as their text, up to 64 KiB', () => {
    expect(bodyText(undefined)).toBeNull();
    expect(bodyText(null)).toBeNull();
    expect(bodyText('{"a": 1}')).toBe('{"a": 1}');
    expect(bodyText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(fieldOf(() => bodyText('é'.repeat(40_000)))).toBe('body');
  });

  it('merges retry policies and keeps min <= max', () => {
    const base = { max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 3_600_000 };
    expect(mergeRetryPolicy(base, { max_attempts: 2 })).toEqual({ ...base, max_attempts: 2 });
    expect(fieldOf(() => mergeRetryPolicy(base, { min_backoff_ms: 4_000_000 }))).toBe('retry_policy.min_backoff_ms');
  });
});

describe('callback targets', () => {
  const none = parseAllowList('');
  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof AppError) return [error.code, error.details?.[0]?.code];
      throw error;
    }
    return null;
  };

  it('refuses a literal blocked address in any spelling, naming the range', () => {
    expect(codeOf(() => checkCallbackTarget('http://169.254.169.254/', none))).toEqual([
      'callback_url_blocked',
      'link_local',
    ]);
    expect(codeOf(() => checkCallbackTarget('http://2130706433/', none))).toEqual(['callback_url_blocked', 'loopback']);
    expect(codeOf(() => checkCallbackTarget('http://[fd00::1]/', none))).toEqual([
      'callback_url_blocked',
      'unique_local',
    ]);
  });

  it('leaves names and public addresses to the worker, and honours the allow list', () => {
    expect(codeOf(() => checkCallbackTarget('http://intranet.example/', none))).toBeNull();
    expect(codeOf(() => checkCallbackTarget('https://93.184.216.34/', none))).toBeNull();
    expect(codeOf(() => checkCallbackTarget('http://127.0.0.1:9/', parseAllowList('127.0.0.0/8')))).toBeNull();
  });
});

describe('callback headers and bodies', () => {
  it('refuses header values Node would refuse to send', () => {
    for (const value of ['a\u0100', 'a\u007f', 'a\u0001', 'a\r\nb']) {
      expect(fieldOf(() => headersJson({ 'X-A': value }))).toBe('headers.X-A');
    }
    expect(headersJson({ 'X-A': 'caf\u00e9\t1' })).toBe('{"X-A":"caf\u00e9\\t1"}');
  });

  it(`refuses JSON nested deeper than ${MAX_BODY_DEPTH} levels, without recursing into it`, () => {
    let body: unknown = 1;
    for (let i = 0; i < MAX_BODY_DEPTH; i++) body = [body];
    expect(bodyText(body)).toBe(JSON.stringify(body));
    expect(fieldOf(() => bodyText([body]))).toBe('body');
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(fieldOf(() => bodyText(deep))).toBe('body');
  });
});
