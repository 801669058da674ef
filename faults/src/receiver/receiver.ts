import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Arrival } from '../checker/index.js';
import { answer, type Reply } from './replies.js';

/** A request as a behaviour sees it. */
export interface Incoming {
  tenant: string | null;
  /** The path segment after the tenant (`/t/<tenant>/<lane>`): which behaviour group it is in. */
  lane: string | null;
  webhookId: string;
  attempt: number | null;
  scheduleId: string | null;
  arrivedAt: number;
  /** How many requests with this webhook id arrived before this one. */
  seenBefore: number;
}

export type Behaviour = (request: Incoming) => Reply;

/** An arrival and what happened to its connection (for hang and drip checks). */
export interface LoggedArrival extends Arrival {
  lane: string | null;
  /** When the client (the worker) closed the connection, if it did before the receiver finished. */
  closedByClientAt: number | null;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>/t/<tenant>/<lane>`: what a schedule's callback_url is. */
  url(tenant: string, lane: string): string;
  readonly log: readonly LoggedArrival[];
  /** Replaces the behaviour (default: 200 to everything). */
  behave(behaviour: Behaviour): void;
  /** Called at every arrival, before the reply (a scenario can kill a worker right then). */
  onArrival(listener: (request: Incoming) => void): void;
  /** The tenant's signing secret (whsec_...), to verify its callbacks. */
  setSecret(tenant: string, secret: string): void;
  /** Requests whose reply has not ended yet. */
  open(): number;
  close(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/**
 * The scripted loopback receiver: logs every callback (webhook-id, x-attempt, arrival time,
 * tenant and lane from the path, whether the Standard Webhooks signature verifies with the
 * tenant's secret) and answers as the scenario's behaviour says: any status with any headers,
 * after a delay, or hang, reset, drip, a huge body, a redirect.
 */
export async function startReceiver(): Promise<Receiver> {
  const log: LoggedArrival[] = [];
  const webhooks = new Map<string, Webhook>();
  const seen = new Map<string, number>();
  const listeners: ((request: Incoming) => void)[] = [];
  const sockets = new Set<Socket>();
  let behaviour: Behaviour = () => ({ kind: 'status', status: 200 });
  let open = 0;

  function verify(tenant: string | null, body: string, req: IncomingMessage): boolean {
    const webhook = tenant === null ? undefined : webhooks.get(tenant);
    if (!webhook) return false;
    try {
      webhook.verify(body, req.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string, arrivedAt: number) {
    const [, t, tenant, lane] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
    const webhookId = header(req, 'webhook-id') ?? '';
    const attempt = Number(header(req, 'x-attempt'));
    const scheduled = Date.parse(header(req, 'x-scheduled-time') ?? '');
    const incoming: Incoming = {
      tenant: t === 't' && tenant ? tenant : null,
      lane: t === 't' && lane ? lane : null,
      webhookId,
      attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : null,
      scheduleId: header(req, 'x-schedule-id'),
      arrivedAt,
      seenBefore: seen.get(webhookId) ?? 0,
    };
    seen.set(webhookId, incoming.seenBefore + 1);
    for (const listener of listeners) listener(incoming);
    const reply = behaviour(incoming);
    const arrival: LoggedArrival = {
      webhookId,
      attempt: incoming.attempt,
      arrivedAt,
      tenant: incoming.tenant,
      lane: incoming.lane,
      path: req.url ?? '',
      scheduleId: incoming.scheduleId,
      scheduledAt: Number.isNaN(scheduled) ? null : scheduled,
      signatureValid: verify(incoming.tenant, body, req),
      reply: reply.kind,
      status: reply.kind === 'status' ? reply.status : reply.kind === 'redirect' ? (reply.status ?? 302) : null,
      success: false,
      closedByClientAt: null,
    };
    log.push(arrival);
    open += 1;
    let ended = false;
    res.once('finish', () => {
      ended = true;
      if (reply.kind === 'status' && reply.status >= 200 && reply.status < 300) arrival.success = true;
    });
    res.once('close', () => {
      open -= 1;
      if (!ended) arrival.closedByClientAt = Date.now();
    });
    answer(req, res, reply);
  }

  const server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8'), arrivedAt));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (tenant, lane) => `http://127.0.0.1:${port}/t/${tenant}/${lane}`,
    log,
    behave(next) {
      behaviour = next;
    },
    onArrival(listener) {
      listeners.push(listener);
    },
    setSecret(tenant, secret) {
      webhooks.set(tenant, new Webhook(secret));
    },
    open: () => open,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
