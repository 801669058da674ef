import type { IncomingMessage, ServerResponse } from 'node:http';

/** How the receiver answers one request. */
export type Reply =
  /** A status line, headers (Retry-After, Location...) and a short body, after `delayMs`. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** Never answers: the connection stays open until the client gives up. */
  | { kind: 'hang' }
  /** Resets the connection (TCP RST) after `delayMs`, without a status line. */
  | { kind: 'reset'; delayMs?: number }
  /** 200 and headers, then one byte every `everyMs`, never ending. */
  | { kind: 'drip'; everyMs: number }
  /** 200 announcing `bytes` of body, then sends them as fast as the client reads. */
  | { kind: 'bloat'; bytes: number }
  /** A 3xx to `location` (on this receiver: a followed redirect shows up as an arrival there). */
  | { kind: 'redirect'; location: string; status?: number };

export const ok: Reply = { kind: 'status', status: 200 };
export const status = (code: number, headers?: Record<string, string>): Reply => ({
  kind: 'status',
  status: code,
  headers,
});

const CHUNK = Buffer.alloc(64 * 1024, 'x');

function bloat(res: ServerResponse, bytes: number) {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
  let sent = 0;
  const pump = () => {
    while (sent < bytes && !res.destroyed) {
      const size = Math.min(CHUNK.length, bytes - sent);
      sent += size;
      if (!res.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

function drip(res: ServerResponse, everyMs: number) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => {
    if (res.destroyed) clearInterval(timer);
    else res.write('x');
  }, everyMs);
  res.once('close', () => clearInterval(timer));
}

/** Carries out a reply on one response. */
export function answer(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  switch (reply.kind) {
    case 'status': {
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? 'ok');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
      return;
    }
    case 'hang':
      return;
    case 'reset':
      setTimeout(() => req.socket.resetAndDestroy(), reply.delayMs ?? 0);
      return;
    case 'drip':
      drip(res, reply.everyMs);
      return;
    case 'bloat':
      bloat(res, reply.bytes);
      return;
    case 'redirect':
      res.writeHead(reply.status ?? 302, { location: reply.location });
      res.end();
      return;
  }
}
