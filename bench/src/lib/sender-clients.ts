import http from 'node:http';
import net from 'node:net';
import { type CallbackRequest, createSender, type Prepared, parseAllowList } from '@event-scheduler/worker/send';
import got, { type Agents } from 'got';
import { type Dispatcher, Pool } from 'undici';

/**
 * The HTTP clients the sender benchmark compares, behind one shape: `warm` opens the connections a
 * burst will need (untimed), `prepare` is the lead-ahead work per request (only ours has any),
 * `send` sends and reports when the bytes were handed to the socket.
 */
export interface BenchClient {
  name: string;
  warm(urls: string[]): Promise<void>;
  prepare(request: CallbackRequest, expected: number): Promise<unknown>;
  send(handle: unknown, onWritten: (at: number) => void): Promise<number | null>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();
const CAP = 1024 * 1024;
const SNIPPET = 1024;

/** Requests to each origin, for warming as many connections as a burst needs. */
function perOrigin(urls: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const url of urls) {
    const origin = new URL(url).origin;
    counts.set(origin, (counts.get(origin) ?? 0) + 1);
  }
  return counts;
}

/** Warms a library's keep-alive pool the only way it offers: that many requests at once per origin. */
async function warmByRequests(client: BenchClient, urls: string[], request: (url: string) => CallbackRequest) {
  const sends: Promise<unknown>[] = [];
  for (const [origin, count] of perOrigin(urls)) {
    for (let i = 0; i < count; i++) sends.push(client.send(request(`${origin}/warm`), () => undefined));
  }
  await Promise.all(sends);
}

function keepAliveAgent(): http.Agent {
  // The worker's agent options today (ssrf-guard.ts), with room for a 1,000-connection burst.
  return new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 2048, scheduling: 'lifo' });
}

/** (a) got as performCall uses it: a stream, the body read up to the cap, keep-alive agent. */
export function gotClient(request: (url: string) => CallbackRequest): BenchClient {
  const agent = keepAliveAgent();
  const client: BenchClient = {
    name: 'got (today)',
    warm: (urls) => warmByRequests(client, urls, request),
    prepare: async (req) => req,
    async send(handle, onWritten) {
      const req = handle as CallbackRequest;
      const stream = got.stream(req.url, {
        method: req.method as 'POST',
        headers: req.headers,
        body: req.body ?? undefined,
        agent: { http: agent } as Agents,
        retry: { limit: 0 },
        followRedirect: false,
        throwHttpErrors: false,
        decompress: true,
        timeout: { request: req.timeoutMs },
      });
      let status: number | null = null;
      stream.on('request', (r: http.ClientRequest) => r.once('finish', () => onWritten(now())));
      stream.on('response', (response: { statusCode: number }) => {
        status = response.statusCode;
      });
      let total = 0;
      const kept: Buffer[] = [];
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total <= SNIPPET) kept.push(chunk);
          if (total > CAP) break;
        }
      } catch {
        return null; // performCall turns this into an error kind; here it counts as a failed request
      }
      return status;
    },
    async close() {
      agent.destroy();
    },
  };
  return client;
}

/** (c) node:http with a keep-alive agent whose sockets are already connected. */
export function httpClient(request: (url: string) => CallbackRequest): BenchClient {
  const agent = keepAliveAgent();
  const client: BenchClient = {
    name: 'node:http keep-alive',
    warm: (urls) => warmByRequests(client, urls, request),
    prepare: async (req) => req,
    send(handle, onWritten) {
      const req = handle as CallbackRequest;
      const url = new URL(req.url);
      const body = Buffer.from(req.body ?? '');
      return new Promise((resolve) => {
        const outgoing = http.request({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: req.method,
          headers: { ...req.headers, 'content-length': body.length },
          agent,
          timeout: req.timeoutMs,
        });
        outgoing.once('finish', () => onWritten(now()));
        outgoing.on('response', (response) => {
          let total = 0;
          response.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > CAP) response.destroy();
          });
          response.on('end', () => resolve(response.statusCode ?? null));
          response.on('error', () => resolve(null));
        });
        outgoing.on('error', () => resolve(null));
        outgoing.end(body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
  return client;
}

/**
 * (b) undici: a Pool per origin and `dispatch` with a minimal handler. With `stash`, every warm()
 * replaces the pools by new ones whose `connect` hands out sockets connected ahead (so a burst's
 * requests are written as soon as dispatched, skipping undici's idle-socket check); without it,
 * the pools are warmed by requests and reuse their keep-alive connections.
 */
export function undiciClient(request: (url: string) => CallbackRequest, stash: boolean): BenchClient {
  let pools = new Map<string, Pool>();
  const poolFor = (origin: string, connections = 2048, sockets: net.Socket[] = []) => {
    let pool = pools.get(origin);
    if (!pool) {
      const { hostname, port } = new URL(origin);
      const connect: Pool.Options['connect'] = stash
        ? (_options, callback) => {
            const warm = sockets.pop();
            // Handed over in a microtask: a synchronous callback lands while the client is inside
            // its resume loop, which then returns without writing (the request would hang).
            if (warm) return queueMicrotask(() => callback(null, warm));
            const socket = net.connect({ host: hostname, port: Number(port) });
            socket.once('connect', () => callback(null, socket)).once('error', (error) => callback(error, null));
          }
        : undefined;
      pool = new Pool(origin, { connections, keepAliveTimeout: 60_000, ...(connect ? { connect } : {}) });
      pools.set(origin, pool);
    }
    return pool;
  };
  const client: BenchClient = {
    name: stash ? 'undici Pool + warm-socket connect' : 'undici Pool keep-alive',
    async warm(urls) {
      if (!stash) return warmByRequests(client, urls, request);
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
      pools = new Map();
      for (const [origin, count] of perOrigin(urls)) {
        const { hostname, port } = new URL(origin);
        const sockets = await Promise.all(
          Array.from({ length: count }, () => {
            const socket = net.connect({ host: hostname, port: Number(port) });
            socket.setNoDelay(true);
            return new Promise<net.Socket>((resolve) => socket.once('connect', () => resolve(socket)));
          }),
        );
        poolFor(origin, count, sockets);
      }
    },
    prepare: async (req) => req,
    send(handle, onWritten) {
      const req = handle as CallbackRequest;
      const url = new URL(req.url);
      return new Promise((resolve) => {
        let status: number | null = null;
        let total = 0;
        const handler: Dispatcher.DispatchHandler & { onRequestSent(): void } = {
          onRequestStart: () => undefined,
          onRequestSent: () => onWritten(now()),
          onResponseStart: (_controller, statusCode) => {
            status = statusCode;
          },
          onResponseData: (controller, chunk) => {
            total += chunk.length;
            if (total > CAP) controller.abort(new Error('too large'));
          },
          onResponseEnd: () => resolve(status),
          onResponseError: () => resolve(null),
        };
        poolFor(url.origin).dispatch(
          {
            path: url.pathname,
            method: req.method as Dispatcher.HttpMethod,
            headers: req.headers,
            body: req.body,
            headersTimeout: req.timeoutMs,
            bodyTimeout: req.timeoutMs,
          },
          handler,
        );
      });
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
    },
  };
  return client;
}

/** (d) ours: prepare ahead (bytes, resolution, warm connections), send = one write. */
export function ourClient(): BenchClient {
  const sender = createSender({
    allowList: parseAllowList('127.0.0.0/8'),
    capBytes: CAP,
    snippetBytes: SNIPPET,
    followRedirects: false,
    connections: { maxPerOrigin: 2048, idleMs: 30_000 },
  });
  let reported = 0;
  return {
    name: 'ours (worker/src/send)',
    warm: async () => undefined,
    prepare: (req, expected) => sender.prepare(req, { expected }),
    async send(handle, onWritten) {
      const result = await sender.send(handle as Prepared);
      if (result.writtenAt !== null) onWritten(result.writtenAt);
      if (result.errorKind !== null && reported++ < 3)
        console.error(`ours: ${result.errorKind}: ${result.errorMessage}`);
      return result.statusCode;
    },
    close: () => sender.close(),
  };
}
