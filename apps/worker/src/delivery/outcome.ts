import type { CallResult, ErrorKind } from '../send/index.js';

/** What happens after an attempt: the occurrence is done, tries again later, or has failed for good. */
export type Verdict = 'success' | 'retry' | 'fail';

export interface Judgement {
  verdict: Verdict;
  /** Set on anything but success: `http_status` for a non-2xx answer, else the call's error kind. */
  errorKind: ErrorKind | null;
  errorMessage: string | null;
}

export interface OutcomeRules {
  /** 4xx statuses worth retrying (`worker.retryable_4xx`, default 408 and 429). */
  retryable4xx: ReadonlySet<number>;
}

/** Errors where another attempt can go differently; ssrf_blocked and invalid_request never do. */
const RETRYABLE_ERRORS: ReadonlySet<ErrorKind> = new Set(['timeout', 'network', 'aborted', 'worker_lost']);

function statusVerdict(status: number, rules: OutcomeRules): Verdict {
  if (status >= 200 && status < 300) return 'success';
  if (status >= 500 || rules.retryable4xx.has(status)) return 'retry';
  return 'fail';
}

/**
 * Judges one attempt. 2xx is success; timeouts, network errors, 5xx and the retryable 4xx
 * (408, 429) are retried; other 4xx, 3xx (redirects are not followed by default), SSRF refusals
 * and malformed requests fail at once. A body over the cap fails unless the status alone asks for
 * a retry: a receiver that answers with an endless body will do so again.
 */
export function judge(result: CallResult, rules: OutcomeRules): Judgement {
  const { statusCode, errorKind, errorMessage } = result;
  if (errorKind === 'response_too_large') {
    const byStatus = statusCode === null ? 'fail' : statusVerdict(statusCode, rules);
    return { verdict: byStatus === 'retry' ? 'retry' : 'fail', errorKind, errorMessage };
  }
  if (errorKind) return { verdict: RETRYABLE_ERRORS.has(errorKind) ? 'retry' : 'fail', errorKind, errorMessage };
  if (statusCode === null) return { verdict: 'retry', errorKind: 'network', errorMessage: 'no response' };
  const verdict = statusVerdict(statusCode, rules);
  if (verdict === 'success') return { verdict, errorKind: null, errorMessage: null };
  return { verdict, errorKind: 'http_status', errorMessage: statusMessage(result) };
}

function statusMessage({ statusCode, headers }: CallResult): string {
  if (statusCode !== null && statusCode >= 300 && statusCode < 400) {
    const location = headers.location;
    return `HTTP ${statusCode}: redirect${location ? ` to ${String(location)}` : ''} not followed (worker.follow_redirects is off)`;
  }
  return `HTTP ${statusCode}`;
}

/** Parses `worker.retryable_4xx` ("408,429"). */
export function parseStatusList(text: string): Set<number> {
  return new Set(
    text
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n >= 400 && n < 500),
  );
}
