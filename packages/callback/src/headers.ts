import { validateHeaderName, validateHeaderValue } from 'node:http';

/**
 * Headers the worker sets on every callback itself: the Standard Webhooks signature and the
 * occurrence's identity. A schedule's own headers may not name them (the API refuses them, the
 * worker drops them from anything stored earlier), so a receiver can trust them.
 */
export const SCHEDULER_HEADERS: readonly string[] = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'idempotency-key',
  'x-schedule-id',
  'x-event-id',
  'x-scheduled-time',
  'x-attempt',
];

/** Headers that belong to the connection or the message framing, which the HTTP client owns. */
export const TRANSPORT_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
];

/** Whole families: every Standard Webhooks header, proxy instructions and HTTP/2 pseudo-headers. */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['webhook-', 'proxy-', ':'];

const RESERVED = new Set([...SCHEDULER_HEADERS, ...TRANSPORT_HEADERS]);

/** True when a schedule may not set this header (any case): the worker or the transport owns it. */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Why a callback header cannot be stored, or null when it can. Names and values are checked by
 * Node's own `validateHeaderName` / `validateHeaderValue`, the checks the worker's HTTP client
 * runs before it sends: a header accepted here is one the worker can always send (a value with
 * DEL, a control character other than tab, or a character above U+00FF never can).
 */
export function headerProblem(name: string, value: string): string | null {
  try {
    validateHeaderName(name);
  } catch {
    return "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)";
  }
  if (isReservedHeader(name)) return 'this header is set by the scheduler and cannot be overridden';
  try {
    validateHeaderValue(name, value);
  } catch {
    return 'the value contains a character an HTTP header cannot carry (a control character, DEL or one above U+00FF)';
  }
  return null;
}
