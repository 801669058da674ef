import { validateHeaderName, validateHeaderValue } from 'node:http';
import { isIP } from 'node:net';
import type { CallbackRequest } from './types.js';

/** Where a request goes: what to connect to and what to say in the Host header. */
export interface Target {
  url: URL;
  protocol: 'http:' | 'https:';
  /** Lower-case host name or IP literal, without IPv6 brackets. */
  hostname: string;
  port: number;
  /** `protocol//hostname:port`: warm connections are shared per origin. */
  origin: string;
  /** TLS server name (SNI and certificate check): the host name, or undefined for an IP literal. */
  servername: string | undefined;
}

/** A request the sender cannot send as given: an `invalid_request` attempt, never retried. */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Framing and connection headers belong to the sender: a request naming one is refused, not silently changed. */
const SENDER_OWNED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** What the sender can decode for the snippet (got's `decompress: true` offers the same). */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** Parses and checks a callback URL: http or https, a host, no whitespace tricks. */
export function parseTarget(raw: string): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidRequestError(`invalid callback URL ${JSON.stringify(String(raw).slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(`unsupported protocol ${url.protocol} (only http and https callbacks are sent)`);
  }
  if (!url.hostname) throw new InvalidRequestError('callback URL has no host');
  const protocol = url.protocol;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  return {
    url,
    protocol,
    hostname,
    port,
    origin: `${protocol}//${hostname}:${port}`,
    servername: isIP(hostname) ? undefined : hostname.replace(/\.$/, ''),
  };
}

export interface RequestDefaults {
  /** Sent when the request has no `user-agent` of its own. */
  userAgent?: string | undefined;
}

/**
 * The complete HTTP/1.1 request as one buffer (head and body), so sending it is one socket write.
 * Header names and values go through Node's own checks (the ones its HTTP client runs); anything
 * they refuse, and any framing header, makes the request invalid.
 */
export function requestBytes(request: CallbackRequest, target: Target, defaults: RequestDefaults = {}): Buffer {
  const method = request.method.toUpperCase();
  if (!METHOD.test(method)) throw new InvalidRequestError(`invalid method ${JSON.stringify(request.method)}`);
  if (method === 'CONNECT') throw new InvalidRequestError('CONNECT is not a callback method');
  const body = request.body === null ? null : Buffer.from(request.body, 'utf8');
  let head = `${method} ${target.url.pathname}${target.url.search} HTTP/1.1\r\nhost: ${target.url.host}\r\n`;
  const names = new Set<string>();
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (SENDER_OWNED.has(lower)) throw new InvalidRequestError(`header ${name} is set by the sender, not the request`);
    checkHeader(name, value);
    names.add(lower);
    head += `${name}: ${value}\r\n`;
  }
  if (target.url.username && !names.has('authorization')) {
    const user = decodeURIComponent(target.url.username);
    const password = decodeURIComponent(target.url.password);
    head += `authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}\r\n`;
  }
  if (defaults.userAgent && !names.has('user-agent')) head += `user-agent: ${defaults.userAgent}\r\n`;
  if (!names.has('accept-encoding')) head += `accept-encoding: ${ACCEPT_ENCODING}\r\n`;
  if (body !== null) head += `content-length: ${body.length}\r\n`;
  else if (METHODS_WITH_BODY.has(method)) head += 'content-length: 0\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body === null || body.length === 0 ? headBytes : Buffer.concat([headBytes, body]);
}

function checkHeader(name: string, value: unknown): void {
  if (typeof value !== 'string') throw new InvalidRequestError(`header ${name} is not a string`);
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  } catch (error) {
    throw new InvalidRequestError(`invalid header ${JSON.stringify(name.slice(0, 80))}: ${(error as Error).message}`);
  }
}
