/** One outgoing callback request, fully built (body already serialised and signed). */
export interface CallbackRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Null for methods that carry no body (GET, HEAD). */
  body: string | null;
  timeoutMs: number;
}

/** Why an attempt did not get a complete response (null when it did); the same kinds as the got path. */
export type ErrorKind =
  | 'timeout'
  | 'network'
  | 'ssrf_blocked'
  | 'response_too_large'
  | 'invalid_request'
  | 'aborted'
  | 'http_status'
  | 'worker_lost';

/** What one HTTP attempt produced, before it is judged (the fields of the former got path's CallResult). */
export interface CallResult {
  statusCode: number | null;
  headers: Record<string, string | string[] | undefined>;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  snippet: string | null;
  durationMs: number;
}

export interface SendResult extends CallResult {
  /**
   * Epoch ms (sub-ms, `performance.timeOrigin + performance.now()`) when the request bytes were
   * handed to the socket; null when nothing was written (refused, aborted first, never connected).
   * With redirects followed, the first hop's write: the one the due instant is about.
   */
  writtenAt: number | null;
}
