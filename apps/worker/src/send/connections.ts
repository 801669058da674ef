import net from 'node:net';
import tls from 'node:tls';
import type { Target } from './request-bytes.js';

/** Whoever is using a connection for one exchange; idle connections have none. */
export interface ConnectionUser {
  onData(chunk: Buffer): void;
  /** The server ended its side, or the socket closed or failed: the user decides what that means. */
  onEnd(error: Error | null): void;
}

export interface Connection {
  readonly socket: net.Socket;
  readonly origin: Origin;
  user: ConnectionUser | null;
  /** Epoch ms after which this connection is not reused (idle limit, or the server's Keep-Alive timeout). */
  reuseUntil: number;
}

/** The warm connections to one `protocol//host:port`. */
export interface Origin {
  readonly key: string;
  readonly target: Pick<Target, 'protocol' | 'hostname' | 'port' | 'servername'>;
  /** Idle connections, most recently used last (taken first: the least likely to be closed by the server). */
  readonly idle: Connection[];
  /** Connections open (idle or in use) or connecting. */
  size: number;
  connecting: number;
}

export interface ConnectionPoolOptions {
  /** An idle connection is closed after this long (below common server keep-alive timeouts). Default 4 s. */
  idleMs?: number;
  /** Connections per origin, idle or busy. Default 1,024. */
  maxPerOrigin?: number;
  /** TLS options for https targets (e.g. `ca` for a private CA); host and servername are the sender's. */
  tls?: Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized'>;
}

export interface PoolStats {
  origins: number;
  idle: number;
  busy: number;
  connecting: number;
  /** Connections opened since the pool was created. */
  opened: number;
}

/** Keep-Alive: timeout=N from the server; we stop reusing a second before it closes. */
const KEEP_ALIVE_TIMEOUT = /timeout=(\d+)/i;
const SERVER_MARGIN_MS = 1000;

/**
 * Warm keep-alive connections per origin, each opened to an address the resolver allowed. A
 * connection that receives bytes or an end while idle is dropped at once (the server closed it,
 * or is out of step), so a reused one is as clean as a new one when a request is written on it.
 */
export class ConnectionPool {
  private readonly origins = new Map<string, Origin>();
  private readonly sockets = new Set<net.Socket>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private opened = 0;
  private readonly idleMs: number;
  private readonly maxPerOrigin: number;

  constructor(private readonly options: ConnectionPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 4000;
    this.maxPerOrigin = options.maxPerOrigin ?? 1024;
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.idleMs)).unref();
  }

  origin(target: Origin['target'], key: string): Origin {
    let origin = this.origins.get(key);
    if (!origin) {
      origin = { key, target, idle: [], size: 0, connecting: 0 };
      this.origins.set(key, origin);
    }
    return origin;
  }

  /**
   * An idle connection still fit for a request, or null. The caller writes on it and sets its
   * `user` in the same tick (bytes arriving for a connection without a user close it).
   */
  take(origin: Origin): Connection | null {
    const now = Date.now();
    for (let connection = origin.idle.pop(); connection; connection = origin.idle.pop()) {
      const { socket } = connection;
      if (connection.reuseUntil > now && !socket.destroyed && socket.writable && !socket.readableEnded) {
        return connection;
      }
      connection.socket.destroy();
    }
    return null;
  }

  /**
   * Opens connections until `count` are idle or connecting; the promise settles when they have
   * (never rejects). Null when enough are there already, so a warm origin costs no promise.
   */
  warm(origin: Origin, addresses: readonly string[], count: number, timeoutMs: number): Promise<void> | null {
    const wanted = Math.min(count, this.maxPerOrigin);
    if (this.closed || origin.idle.length + origin.connecting >= wanted) return null;
    const opening: Promise<unknown>[] = [];
    while (origin.idle.length + origin.connecting < wanted && origin.size < this.maxPerOrigin) {
      opening.push(
        this.open(origin, addresses, timeoutMs).then(
          (connection) => this.release(connection, true),
          () => undefined,
        ),
      );
    }
    return Promise.all(opening).then(() => undefined);
  }

  /** A new connection for immediate use, to the first of `addresses` that accepts within `timeoutMs`. */
  async open(origin: Origin, addresses: readonly string[], timeoutMs: number): Promise<Connection> {
    if (this.closed) throw new Error('sender closed');
    origin.size++;
    origin.connecting++;
    try {
      let lastError: Error = new Error('no address to connect to');
      for (const address of addresses) {
        try {
          return await this.connect(origin, address, timeoutMs);
        } catch (error) {
          lastError = error as Error;
        }
      }
      origin.size--;
      throw lastError;
    } finally {
      origin.connecting--;
    }
  }

  /** Back to the idle list when the exchange left it clean, else closed. */
  release(connection: Connection, reusable: boolean, keepAliveHeader?: string | string[]): void {
    connection.user = null;
    if (!reusable || this.closed || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    const now = Date.now();
    connection.reuseUntil = now + this.idleMs;
    const serverTimeout = typeof keepAliveHeader === 'string' ? KEEP_ALIVE_TIMEOUT.exec(keepAliveHeader) : null;
    if (serverTimeout) {
      connection.reuseUntil = Math.min(connection.reuseUntil, now + Number(serverTimeout[1]) * 1000 - SERVER_MARGIN_MS);
    }
    connection.origin.idle.push(connection);
  }

  stats(): PoolStats {
    let idle = 0;
    let connecting = 0;
    for (const origin of this.origins.values()) {
      idle += origin.idle.length;
      connecting += origin.connecting;
    }
    return { origins: this.origins.size, idle, busy: this.sockets.size - idle, connecting, opened: this.opened };
  }

  /** Closes idle connections now and busy ones as their exchanges end; resolves once every socket closed. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const origin of this.origins.values()) {
      for (const connection of origin.idle.splice(0)) connection.socket.destroy();
    }
    await Promise.all([...this.sockets].map((socket) => closedPromise(socket)));
  }

  /** Connects and adopts in the same callback, so the socket is never without an error listener. */
  private connect(origin: Origin, address: string, timeoutMs: number): Promise<Connection> {
    const { protocol, port, servername } = origin.target;
    const socket =
      protocol === 'https:'
        ? tls.connect({ ...this.options.tls, host: address, port, servername, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host: address, port });
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new ConnectTimeoutError(address, port, timeoutMs)), clampDelay(timeoutMs));
      socket.once('error', fail);
      socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        if (this.closed) {
          fail(new Error('sender closed'));
          return;
        }
        resolve(this.adopt(origin, socket));
      });
    });
  }

  /** Installs the connection's listeners once; they route to whichever exchange uses it. */
  private adopt(origin: Origin, socket: net.Socket): Connection {
    this.opened++;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connection: Connection = { socket, origin, user: null, reuseUntil: Date.now() + this.idleMs };
    socket.on('data', (chunk: Buffer) => {
      if (connection.user) connection.user.onData(chunk);
      else socket.destroy(); // unsolicited bytes on an idle connection: never reuse it
    });
    const ended = (error: Error | null) => {
      const user = connection.user;
      connection.user = null;
      user?.onEnd(error);
    };
    socket.on('end', () => ended(null));
    socket.on('error', (error) => ended(error));
    socket.on('close', () => {
      origin.size--;
      const at = origin.idle.indexOf(connection);
      if (at !== -1) origin.idle.splice(at, 1);
      ended(new Error('connection closed'));
    });
    return connection;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, origin] of this.origins) {
      for (const connection of origin.idle) if (connection.reuseUntil <= now) connection.socket.destroy();
      if (origin.size === 0 && origin.connecting === 0) this.origins.delete(key);
    }
  }
}

export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(address: string, port: number, timeoutMs: number) {
    super(`could not connect to ${address}:${port} within ${timeoutMs} ms`);
    this.name = 'ConnectTimeoutError';
  }
}

/** setTimeout fires at once for delays past 2^31-1 ms; no attempt waits that long anyway. */
export function clampDelay(ms: number): number {
  return Math.min(2_147_483_647, Math.max(0, ms));
}

function closedPromise(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
