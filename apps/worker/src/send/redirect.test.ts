import { describe, expect, it } from '@jest/globals';
import { redirectStep } from './redirect.js';
import type { CallbackRequest } from './types.js';

const original: CallbackRequest = {
  url: 'https://user:pw@hooks.example.com/in#part',
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t', Cookie: 'c=1', 'webhook-id': 'msg_1' },
  body: '{}',
  timeoutMs: 1000,
};

const next = (status: number, location: unknown, request = original) => {
  const step = redirectStep(request, status, location);
  if (!step || 'error' in step) throw new Error(`expected a request, got ${JSON.stringify(step)}`);
  return step.request;
};

describe('redirectStep', () => {
  it.each([200, 204, 300, 304, 404])('is not a redirect for %i', (status) => {
    expect(redirectStep(original, status, '/x')).toBeNull();
  });

  it('is not a redirect without a location', () => {
    expect(redirectStep(original, 302, undefined)).toBeNull();
  });

  it.each([307, 308, 301, 302])('keeps method, body, headers and credentials on the same origin (%i)', (status) => {
    const request = next(status, '/moved?q=1');
    expect(request).toMatchObject({ method: 'POST', body: '{}', headers: original.headers });
    expect(request.url).toBe('https://user:pw@hooks.example.com/moved?q=1#part');
  });

  it('turns 303 into GET without the body or its headers', () => {
    const request = next(303, '/see');
    expect(request).toMatchObject({ method: 'GET', body: null });
    expect(request.headers).toEqual({ Authorization: 'Bearer t', Cookie: 'c=1', 'webhook-id': 'msg_1' });
  });

  it('keeps HEAD a HEAD on 303', () => {
    expect(next(303, '/see', { ...original, method: 'HEAD', body: null }).method).toBe('HEAD');
  });

  it('turns a cross-origin 302 POST into GET and drops credentials', () => {
    const request = next(302, 'https://other.example/in');
    expect(request).toMatchObject({ method: 'GET', body: null, url: 'https://other.example/in#part' });
    expect(request.headers).toEqual({ 'webhook-id': 'msg_1' });
  });

  it('keeps method and body on a cross-origin 307 but still drops credentials', () => {
    const request = next(307, 'http://other.example/in');
    expect(request).toMatchObject({ method: 'POST', body: '{}', url: 'http://other.example/in#part' });
    expect(request.headers).toEqual({ 'Content-Type': 'application/json', 'webhook-id': 'msg_1' });
  });

  it('drops the body of a cross-origin 301 PUT but keeps the method', () => {
    expect(next(301, 'https://other.example/', { ...original, method: 'PUT' })).toMatchObject({
      method: 'PUT',
      body: null,
    });
  });

  it('takes the location fragment when it has one', () => {
    expect(next(307, '/x#new').url).toBe('https://user:pw@hooks.example.com/x#new');
  });

  it.each([
    ['ftp://example.com/', /unsupported protocol ftp:/],
    ['http://[::1', /invalid redirect location/],
  ])('refuses a redirect to %s', (location, message) => {
    const step = redirectStep(original, 302, location);
    expect(step && 'error' in step ? step.error : '').toMatch(message);
  });
});
