import type { CallbackRequest } from './types.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin (got's list), so a receiver cannot forward credentials elsewhere. */
const CROSS_ORIGIN_STRIPPED = new Set(['cookie', 'cookie2', 'authorization', 'proxy-authorization']);
/** Describe a body that is dropped with it. */
const BODY_HEADERS = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
  'digest',
  'content-digest',
  'repr-digest',
  'last-modified',
]);

/** The request to send next, or why the redirect cannot be followed; null when the response is not a redirect. */
export type RedirectStep = { request: CallbackRequest } | { error: string } | null;

/**
 * Follows got's rules for one redirect: 303 turns anything but GET/HEAD into a GET without body;
 * a cross-origin 301/302 of a POST does too; any other cross-origin redirect except 307/308 drops
 * the body; crossing origins also drops credentials (cookies, authorization, URL user info).
 */
export function redirectStep(request: CallbackRequest, statusCode: number, location: unknown): RedirectStep {
  if (!REDIRECT_STATUSES.has(statusCode) || typeof location !== 'string' || location === '') return null;
  const from = new URL(request.url);
  let to: URL;
  try {
    // Location arrives as latin1 text; servers send UTF-8 bytes in it, as got assumes.
    to = new URL(Buffer.from(location, 'latin1').toString('utf8'), from);
  } catch {
    return { error: `HTTP ${statusCode}: invalid redirect location ${JSON.stringify(location.slice(0, 200))}` };
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    return { error: `HTTP ${statusCode}: redirect to unsupported protocol ${to.protocol}` };
  }
  if (!location.includes('#')) to.hash = from.hash;
  const crossOrigin = to.origin !== from.origin;
  let method = request.method.toUpperCase();
  let body = request.body;
  const toGet =
    (statusCode === 303 && method !== 'GET' && method !== 'HEAD') ||
    (crossOrigin && (statusCode === 301 || statusCode === 302) && method === 'POST');
  if (toGet) method = 'GET';
  if (toGet || (crossOrigin && statusCode !== 307 && statusCode !== 308)) body = null;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (crossOrigin && CROSS_ORIGIN_STRIPPED.has(lower)) continue;
    if (body === null && request.body !== null && BODY_HEADERS.has(lower)) continue;
    headers[name] = value;
  }
  if (crossOrigin) {
    to.username = '';
    to.password = '';
  } else if (!to.username && from.username) {
    to.username = from.username;
    to.password = from.password;
  }
  return { request: { ...request, url: to.href, method, headers, body } };
}
