import type { AllowList } from '@event-scheduler/callback';
import { ConnectionPool, type ConnectionPoolOptions, ConnectTimeoutError, type PoolStats } from './connections.js';
import { abortReason, Exchange, type HopResult, socketErrorMessage } from './exchange.js';
import { redirectStep } from './redirect.js';
import { InvalidRequestError, parseTarget, requestBytes, type Target } from './request-bytes.js';
import { createResolver, type LookupAll } from './resolver.js';
import type { CallbackRequest, ErrorKind, SendResult } from './types.js';

export interface SenderOptions {
  allowList: AllowList;
  /** Response body bytes read at most; past it the attempt ends as `response_too_large`. */
  capBytes: number;
  /** Bytes of the (decoded) body kept as the attempt's snippet. */
  snippetBytes: number;
  followRedirects: boolean;
  /** Redirects followed at most; one more is an `http_status` failure. Default 5 (as got). */
  maxRedirects?: number;
  /** `user-agent` for requests that do not set one. */
  userAgent?: string;
  /** How long a host's resolution and SSRF verdict are reused. Default 10 s. */
  dnsTtlMs?: number;
  /** Replaces DNS (tests: a name that resolves to a blocked address). */
  lookup?: LookupAll;
  /** Idle limit, per-origin cap and TLS options of the warm connections. */
  connections?: ConnectionPoolOptions;
}

export interface PrepareOptions {
  /** Requests to this origin that will be sent at the same instant: that many warm connections. Default 1. */
  expected?: number;
}

/** A request made ready ahead of its instant: bytes built, target resolved and judged, connections warm. */
export interface Prepared {
  readonly request: CallbackRequest;
  /** Set when the request can never be sent: `send` resolves with it at once. */
  readonly refusal: { errorKind: ErrorKind; errorMessage: string } | null;
}

interface ReadyRequest extends Prepared {
  readonly target: Target;
  readonly bytes: Buffer;
  readonly expectBody: boolean;
}

export interface Sender {
  /** Lead-ahead work; never rejects (a refused target becomes a Prepared that fails at send). */
  prepare(request: CallbackRequest, options?: PrepareOptions): Promise<Prepared>;
  /** Writes the request now and resolves once the response is judged complete; never rejects. */
  send(prepared: Prepared, signal?: AbortSignal): Promise<SendResult>;
  stats(): PoolStats;
  /** Closes idle connections at once and the others as their responses end. */
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * The worker's hot-path HTTP sender: everything that can be done before the due instant is done
 * in `prepare`, so `send` on a warm connection is one socket write of prebuilt bytes. Semantics are
 * those of the got path it replaces (performCall, formerly http-call.ts): no retries, non-2xx
 * returned, one timeout for the whole attempt, the body capped and sampled, redirects only when
 * configured and each hop re-checked.
 */
export function createSender(options: SenderOptions): Sender {
  const { capBytes, snippetBytes, followRedirects, maxRedirects = 5, userAgent } = options;
  const resolver = createResolver({ allowList: options.allowList, ttlMs: options.dnsTtlMs, lookup: options.lookup });
  const pool = new ConnectionPool(options.connections);
  const limits = { capBytes, snippetBytes };
  let closed = false;

  async function prepare(request: CallbackRequest, expected = 1, deadline = Infinity): Promise<Prepared> {
    let ready: ReadyRequest;
    try {
      if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
        throw new InvalidRequestError(`invalid timeout ${request.timeoutMs} ms`);
      }
      const target = parseTarget(request.url);
      const bytes = requestBytes(request, target, { userAgent });
      ready = { request, refusal: null, target, bytes, expectBody: request.method.toUpperCase() !== 'HEAD' };
    } catch (error) {
      return refused(request, 'invalid_request', (error as Error).message);
    }
    const resolution = resolver.cached(ready.target.hostname) ?? (await resolver.resolve(ready.target.hostname));
    if (!resolution.ok && resolution.kind === 'ssrf_blocked')
      return refused(request, 'ssrf_blocked', resolution.message);
    // A failed lookup or connect is not final: send tries again, the receiver may be back by then.
    if (resolution.ok && !closed) {
      const origin = pool.origin(ready.target, ready.target.origin);
      const timeoutMs = Math.min(request.timeoutMs, deadline - Date.now());
      const warming = pool.warm(origin, resolution.addresses, Math.max(1, expected), Math.max(1, timeoutMs));
      if (warming) await warming;
    }
    return ready;
  }

  /** One request/response; the fast path is a warm connection, written on before anything else. */
  function sendHop(ready: ReadyRequest, deadline: number, signal: AbortSignal | undefined): Promise<HopOutcome> {
    const origin = pool.origin(ready.target, ready.target.origin);
    const connection = pool.take(origin);
    if (connection) {
      connection.socket.write(ready.bytes);
      const writtenAt = now();
      return new Promise((resolve) => {
        new Exchange(
          pool,
          connection,
          ready.expectBody,
          limits,
          deadline - Date.now(),
          ready.request.timeoutMs,
          signal,
          (hop) => resolve({ hop, writtenAt }),
        );
      });
    }
    return sendOnNewConnection(ready, deadline, signal);
  }

  /** No warm connection: resolve (cached), check, connect to an allowed address, then write. */
  async function sendOnNewConnection(ready: ReadyRequest, deadline: number, signal?: AbortSignal): Promise<HopOutcome> {
    const { hostname } = ready.target;
    const resolution = resolver.cached(hostname) ?? (await resolver.resolve(hostname));
    if (!resolution.ok) return failedHop(resolution.kind, resolution.message);
    const origin = pool.origin(ready.target, ready.target.origin);
    const opening = pool.open(origin, resolution.addresses, Math.max(1, deadline - Date.now()));
    let connection: Awaited<typeof opening>;
    try {
      connection = await untilAborted(opening, signal);
    } catch (error) {
      if (signal?.aborted) {
        opening.then((late) => pool.release(late, true)).catch(() => undefined);
        return failedHop('aborted', `attempt aborted: ${abortReason(signal)}`);
      }
      if (error instanceof ConnectTimeoutError) {
        return failedHop(
          'timeout',
          `timeout: no complete response within ${ready.request.timeoutMs} ms (${error.message})`,
        );
      }
      return failedHop('network', socketErrorMessage(error as Error, null));
    }
    connection.socket.write(ready.bytes);
    const writtenAt = now();
    return new Promise((resolve) => {
      new Exchange(
        pool,
        connection,
        ready.expectBody,
        limits,
        deadline - Date.now(),
        ready.request.timeoutMs,
        signal,
        (hop) => resolve({ hop, writtenAt }),
      );
    });
  }

  async function send(prepared: Prepared, signal?: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const finish = (hop: HopResult, writtenAt: number | null): SendResult => ({
      ...hop,
      durationMs: Math.round(performance.now() - started),
      writtenAt,
    });
    if (prepared.refusal) return finish(emptyHop(prepared.refusal.errorKind, prepared.refusal.errorMessage), null);
    if (closed) return finish(emptyHop('aborted', 'attempt aborted: the sender is closed'), null);
    if (signal?.aborted) return finish(emptyHop('aborted', `attempt aborted: ${abortReason(signal)}`), null);
    const deadline = Date.now() + prepared.request.timeoutMs;
    const first = await sendHop(prepared as ReadyRequest, deadline, signal);
    let { hop } = first;
    let request = prepared.request;
    for (let redirects = 0; followRedirects && hop.errorKind === null && hop.statusCode !== null; redirects++) {
      const step = redirectStep(request, hop.statusCode, hop.headers.location);
      if (step === null) break;
      if ('error' in step)
        return finish({ ...hop, errorKind: 'http_status', errorMessage: step.error }, first.writtenAt);
      if (redirects >= maxRedirects) {
        const errorMessage = `HTTP ${hop.statusCode}: redirected ${maxRedirects} times, not following more`;
        return finish({ ...hop, errorKind: 'http_status', errorMessage }, first.writtenAt);
      }
      request = step.request;
      const next = await prepare(request, 1, deadline);
      if (next.refusal) return finish(emptyHop(next.refusal.errorKind, next.refusal.errorMessage), first.writtenAt);
      if (signal?.aborted)
        return finish(emptyHop('aborted', `attempt aborted: ${abortReason(signal)}`), first.writtenAt);
      if (Date.now() >= deadline) {
        const errorMessage = `timeout: no complete response within ${prepared.request.timeoutMs} ms`;
        return finish(emptyHop('timeout', errorMessage), first.writtenAt);
      }
      hop = (await sendHop(next as ReadyRequest, deadline, signal)).hop;
    }
    return finish(hop, first.writtenAt);
  }

  return {
    prepare: (request, prepareOptions) => prepare(request, prepareOptions?.expected ?? 1),
    send,
    stats: () => pool.stats(),
    close() {
      closed = true;
      return pool.close();
    },
  };
}

interface HopOutcome {
  hop: HopResult;
  writtenAt: number | null;
}

function refused(request: CallbackRequest, errorKind: ErrorKind, errorMessage: string): Prepared {
  return { request, refusal: { errorKind, errorMessage } };
}

function emptyHop(errorKind: ErrorKind, errorMessage: string): HopResult {
  return { statusCode: null, headers: {}, errorKind, errorMessage, snippet: null };
}

function failedHop(errorKind: ErrorKind, errorMessage: string): HopOutcome {
  return { hop: emptyHop(errorKind, errorMessage), writtenAt: null };
}

/** The promise's outcome, or a rejection as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
