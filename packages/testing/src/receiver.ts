import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  /** `performance.timeOrigin + performance.now()` when the request line arrived, in epoch ms (sub-ms). */
  arrivedAt: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body bytes as text (signatures are computed over exactly these). */
  body: string;
}

/** What to do with a request: status, headers, body, and an optional delay or drip before answering. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver, or a timeout). */
  delayMs?: number;
  /** Send this many bytes of body, one chunk every `dripEveryMs`, never ending on its own. */
  dripBytes?: number;
  dripEveryMs?: number;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Decides each reply; default 200 "ok". Replace it at any time. */
  respond: (request: ReceivedRequest, index: number) => Reply;
  /** Resolves once `count` requests (matching `filter`, if given) have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number, filter?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback for end-to-end tests: records every request with its arrival time
 * and answers as `respond` says (status, delay, slow drip), so tests can check what a callback
 * target actually saw.
 */
export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const open = new Set<ServerResponse>();
  const receiver = { requests, respond: (() => ({ status: 200, body: 'ok' })) as Receiver['respond'] };
  const server = createServer((req, res) => {
    const arrivedAt = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ReceivedRequest = {
        arrivedAt,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(request) - 1;
      for (const wake of waiters) wake();
      const reply = receiver.respond(request, index);
      open.add(res);
      res.on('close', () => open.delete(res));
      setTimeout(() => answer(res, reply), reply.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    waitFor(count: number, timeoutMs = 10_000, filter: (r: ReceivedRequest) => boolean = () => true) {
      return new Promise<ReceivedRequest[]>((resolve, reject) => {
        const check = () => {
          const matching = requests.filter(filter);
          if (matching.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: ${requests.filter(filter).length} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function answer(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status ?? 200, reply.headers ?? { 'content-type': 'text/plain' });
  if (reply.dripBytes) {
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= (reply.dripBytes ?? 0)) return void clearInterval(timer);
      res.write('x'.repeat(1024));
      sent += 1024;
    }, reply.dripEveryMs ?? 10);
    res.on('close', () => clearInterval(timer));
    return;
  }
  res.end(reply.body ?? '');
}
