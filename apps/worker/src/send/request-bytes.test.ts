import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, parseTarget, requestBytes } from './request-bytes.js';
import type { CallbackRequest } from './types.js';

const request = (extra: Partial<CallbackRequest> = {}): CallbackRequest => ({
  url: 'https://Hooks.Example.com/in/é?x=1#frag',
  method: 'post',
  headers: { 'Content-Type': 'application/json', 'webhook-id': 'msg_1' },
  body: '{"a":"ü"}',
  timeoutMs: 1000,
  ...extra,
});

const text = (req: CallbackRequest, userAgent?: string) =>
  requestBytes(req, parseTarget(req.url), { userAgent }).toString('latin1');

describe('parseTarget', () => {
  it.each([
    ['https://Hooks.Example.com/x', 'https:', 'hooks.example.com', 443, 'hooks.example.com'],
    ['http://127.0.0.1:8080/x', 'http:', '127.0.0.1', 8080, undefined],
    ['http://[::1]:9/x', 'http:', '::1', 9, undefined],
    ['http://2130706433/', 'http:', '127.0.0.1', 80, undefined],
    ['https://example.com./', 'https:', 'example.com.', 443, 'example.com'],
  ])('%s -> %s %s:%i (servername %s)', (url, protocol, hostname, port, servername) => {
    expect(parseTarget(url)).toMatchObject({
      protocol,
      hostname,
      port,
      servername,
      origin: `${protocol}//${hostname}:${port}`,
    });
  });

  it.each(['', 'nope', 'ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)'])('refuses %j', (url) => {
    expect(() => parseTarget(url)).toThrow(InvalidRequestError);
  });
});

describe('requestBytes', () => {
  it('builds one HTTP/1.1 message: origin-form target, Host, headers as given, length, body', () => {
    const message = text(request(), 'scheduler/1');
    const body = Buffer.from('{"a":"ü"}', 'utf8');
    expect(message).toBe(
      'POST /in/%C3%A9?x=1 HTTP/1.1\r\nhost: hooks.example.com\r\nContent-Type: application/json\r\n' +
        'webhook-id: msg_1\r\nuser-agent: scheduler/1\r\naccept-encoding: gzip, deflate, br\r\n' +
        `content-length: ${body.length}\r\n\r\n${body.toString('latin1')}`,
    );
  });

  it('keeps the port in Host when it is not the default, and the request user-agent over the default', () => {
    const message = text(request({ url: 'http://127.0.0.1:8080/', headers: { 'User-Agent': 'mine' } }), 'default');
    expect(message).toContain('host: 127.0.0.1:8080\r\n');
    expect(message).toContain('User-Agent: mine\r\n');
    expect(message).not.toContain('default');
  });

  it('sends no body and no length for GET, and an empty length for a bodiless POST', () => {
    expect(text(request({ method: 'GET', body: null }))).not.toMatch(/content-length/);
    expect(text(request({ body: null }))).toMatch(/content-length: 0\r\n\r\n$/);
  });

  it('turns URL credentials into basic authorization', () => {
    expect(text(request({ url: 'https://user:p%40ss@example.com/' }))).toContain(
      `authorization: Basic ${Buffer.from('user:p@ss').toString('base64')}\r\n`,
    );
  });

  it('keeps the accept-encoding the request chose', () => {
    const message = text(request({ headers: { 'Accept-Encoding': 'identity' } }));
    expect(message).toContain('Accept-Encoding: identity\r\n');
    expect(message).not.toContain('gzip');
  });

  it.each([
    ['a framing header', { headers: { 'Transfer-Encoding': 'chunked' } }],
    ['a host header', { headers: { host: 'evil.example' } }],
    ['a header name with a space', { headers: { 'x bad': '1' } }],
    ['a header value with CR LF', { headers: { 'x-a': '1\r\nx-b: 2' } }],
    ['a header value beyond latin1', { headers: { 'x-a': '☃' } }],
    ['a method with a space', { method: 'GET /x' }],
    ['CONNECT', { method: 'CONNECT' }],
  ])('refuses %s', (_label, extra) => {
    expect(() => text(request(extra as Partial<CallbackRequest>))).toThrow(InvalidRequestError);
  });
});
