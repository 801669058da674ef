import got, { type Agents, RequestError } from 'got';
import type { GuardedAgents } from './ssrf-guard.js';

/** One outgoing callback request, fully built (body already serialised and signed). */
export interface CallbackRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Null for methods that carry no body (GET, HEAD). */
  body: string | null;
  timeoutMs: number;
}

export interface CallSettings {
  agents: Pick<GuardedAgents, 'http' | 'https'>;
  /** Read at most this many bytes of the response body; beyond it the attempt is aborted. */
  capBytes: number;
  /** Keep this many bytes of the body as the attempt's snippet. */
  snippetBytes: number;
  followRedirects: boolean;
}

/** Why an attempt did not get a complete response (null when it did). */
export type ErrorKind =
  | 'timeout'
  | 'network'
  | 'ssrf_blocked'
  | 'response_too_large'
  | 'invalid_request'
  | 'aborted'
  | 'http_status'
  | 'worker_lost';

/** What one HTTP attempt produced, before it is judged. */
export interface CallResult {
  statusCode: number | null;
  headers: Record<string, string | string[] | undefined>;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  snippet: string | null;
  durationMs: number;
}

/**
 * Performs one callback with got: no retries (BullMQ delayed jobs own them), no redirects unless
 * configured, non-2xx statuses returned rather than thrown, one timeout covering the whole request
 * (connection, upload, response and body). The body is read as a stream and the request destroyed
 * as soon as it passes the cap, so a huge or endless response costs at most `capBytes` of memory.
 */
export async function performCall(
  request: CallbackRequest,
  settings: CallSettings,
  signal?: AbortSignal,
): Promise<CallResult> {
  const started = performance.now();
  const result: CallResult = {
    statusCode: null,
    headers: {},
    errorKind: null,
    errorMessage: null,
    snippet: null,
    durationMs: 0,
  };
  const chunks: Buffer[] = [];
  let kept = 0;
  try {
    const stream = got.stream(request.url, {
      method: request.method as 'POST',
      headers: request.headers,
      ...(request.body === null ? {} : { body: request.body }),
      agent: { http: settings.agents.http, https: settings.agents.https } as Agents,
      retry: { limit: 0 },
      followRedirect: settings.followRedirects,
      maxRedirects: 5,
      throwHttpErrors: false,
      decompress: true,
      timeout: { request: request.timeoutMs },
      ...(signal ? { signal } : {}),
    });
    stream.on('response', (response: { statusCode: number; headers: CallResult['headers'] }) => {
      result.statusCode = response.statusCode;
      result.headers = response.headers;
    });
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (kept < settings.snippetBytes) {
        const part = chunk.subarray(0, settings.snippetBytes - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (total > settings.capBytes) {
        stream.destroy();
        result.errorKind = 'response_too_large';
        result.errorMessage = `response body exceeds ${settings.capBytes} bytes; stopped reading`;
        break;
      }
    }
  } catch (error) {
    Object.assign(result, describeError(error));
  }
  result.snippet = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

/** Maps got's errors (and what caused them) to an error kind and a message for the attempt. */
export function describeError(error: unknown): Pick<CallResult, 'errorKind' | 'errorMessage'> {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SSRF_BLOCKED') return { errorKind: 'ssrf_blocked', errorMessage: cause?.message ?? message };
  if (code === 'ETIMEDOUT' || (error instanceof Error && error.name === 'TimeoutError')) {
    return { errorKind: 'timeout', errorMessage: message };
  }
  if (code === 'ERR_ABORTED' || code === 'ABORT_ERR' || (error as Error)?.name === 'AbortError') {
    return { errorKind: 'aborted', errorMessage: `attempt aborted: ${message}` };
  }
  if (code === 'ERR_TOO_MANY_REDIRECTS') return { errorKind: 'http_status', errorMessage: message };
  if (error instanceof RequestError && (code === 'ERR_INVALID_URL' || code === 'ERR_UNSUPPORTED_PROTOCOL')) {
    return { errorKind: 'invalid_request', errorMessage: message };
  }
  if (
    error instanceof TypeError ||
    cause instanceof TypeError ||
    code === 'ERR_INVALID_URL' ||
    code === 'ERR_INVALID_ARG_TYPE'
  ) {
    return { errorKind: 'invalid_request', errorMessage: message };
  }
  return { errorKind: 'network', errorMessage: message };
}
