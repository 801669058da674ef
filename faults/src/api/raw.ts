import { request } from 'node:http';

export interface RawAnswer {
  /** 0: no answer (refused, reset, timed out). */
  status: number;
  durationMs: number;
  body: string;
}

/**
 * One HTTP request with what `fetch` cannot do: a chosen source address on loopback (127.0.0.2
 * is another client as far as the API can tell) and a body sent verbatim (10,000 nested arrays,
 * which JSON.stringify would need a deep stack for).
 */
export function rawRequest({
  url,
  method,
  headers = {},
  body,
  localAddress,
  timeoutMs = 10_000,
}: {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
  timeoutMs?: number;
}): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, text: string) =>
      resolve({ status, durationMs: performance.now() - started, body: text });
    const req = request(
      url,
      {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => done(0, ''));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0, ''));
    req.end(body);
  });
}
