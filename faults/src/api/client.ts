/** One answer of the API, timed by the harness; status 0 when no answer came (refused, timed out). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  sentAt: number;
  ackAt: number;
  /** Why no answer came. */
  error?: string;
}

export interface CallOptions {
  /** The tenant whose key is sent (default the first). */
  tenant?: string;
  /** Headers to send instead of the tenant's key (wrong keys, the admin key, none). */
  headers?: Record<string, string>;
  body?: unknown;
  /** Default 30 s: the harness's own reads must survive a loaded machine. */
  timeoutMs?: number;
}

/**
 * The public HTTP API, as a client sees it: every call is timed (sent, answered), and calls are
 * spread over every API process the stack runs.
 */
export class Api {
  private turn = 0;

  constructor(
    private readonly bases: readonly string[],
    private readonly keys: Readonly<Record<string, string>>,
  ) {}

  keyOf(tenant: string): string {
    const key = this.keys[tenant];
    if (!key) throw new Error(`no API key for tenant ${tenant}`);
    return key;
  }

  tenants(): string[] {
    return Object.keys(this.keys);
  }

  /** The base URL of the next API process (round robin). */
  base(): string {
    const base = this.bases[this.turn++ % this.bases.length];
    if (!base) throw new Error('the stack runs no API');
    return base;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = options.headers ?? {
      'x-api-key': this.keyOf(options.tenant ?? this.tenants()[0] ?? ''),
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const sentAt = Date.now();
    try {
      const response = await fetch(`${this.base()}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: body as T, sentAt, ackAt: Date.now() };
    } catch (error) {
      return { status: 0, body: null as T, sentAt, ackAt: Date.now(), error: String(error) };
    }
  }
}

/** Throws unless the answer has one of the statuses: for the harness's own set-up calls. */
export function expectStatus<T>(answer: Answer<T>, what: string, ...statuses: number[]): T {
  if (!statuses.includes(answer.status))
    throw new Error(
      `${what}: expected ${statuses.join(' or ')}, got ${answer.status || answer.error}: ${JSON.stringify(answer.body)}`,
    );
  return answer.body;
}
