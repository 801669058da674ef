import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** A loopback server for the sender's tests that counts the connections it accepted and has open. */
export interface LoopbackServer {
  url: string;
  port: number;
  /** Connections accepted since start. */
  accepted(): number;
  /** Connections open now. */
  open(): number;
  close(): Promise<void>;
}

async function listen(server: net.Server, host: string): Promise<number> {
  // A backlog past the default 511, so a 1,000-connection warm-up is never dropped and retried.
  await new Promise<void>((resolve) => server.listen({ port: 0, host, backlog: 4096 }, resolve));
  return (server.address() as AddressInfo).port;
}

function tracked(server: net.Server, port: number, host: string, sockets: Set<net.Socket>, close: () => Promise<void>) {
  let accepted = 0;
  server.on('connection', (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url: `http://${host}:${port}`,
    port,
    accepted: () => accepted,
    open: () => sockets.size,
    close,
  };
}

/** A node:http server answering with `handler`. */
export async function httpServer(
  handler: http.RequestListener,
  host = '127.0.0.1',
): Promise<LoopbackServer & { server: http.Server }> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  const port = await listen(server, host);
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { ...tracked(server, port, host, sockets, close), server };
}

/** A raw TCP server for what HTTP servers will not do: resets, hangs, drips, malformed answers. */
export async function rawServer(
  onConnection: (socket: net.Socket) => void,
  host = '127.0.0.1',
): Promise<LoopbackServer> {
  const server = net.createServer(onConnection);
  const sockets = new Set<net.Socket>();
  const port = await listen(server, host);
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return tracked(server, port, host, sockets, close);
}

/** Calls `onRequest` with each request head received on a raw socket (split on the blank line). */
export function onRequestHead(socket: net.Socket, onRequest: (head: string) => void): void {
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
      const head = buffered.slice(0, end);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      onRequest(head);
    }
  });
  socket.on('error', () => undefined);
}

/** Polls `condition` until it holds (for state that settles asynchronously, like a closed socket). */
export async function eventually(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
