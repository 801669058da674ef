import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AllowList, blockedRange, describeBlocked } from '@event-scheduler/callback';

/** A callback refused by the SSRF guard: never retried. */
export class SsrfBlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(
    message: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

function refusal(host: string, address: string, range: string): SsrfBlockedError {
  return new SsrfBlockedError(
    `callback refused: ${describeBlocked(host, address, range)}; add it to worker.ssrf_allow_list to allow it`,
    address,
    range,
  );
}

type LookupFunction = NonNullable<http.ClientRequestArgs['lookup']>;
type LookupAllCallback = (error: NodeJS.ErrnoException | null, addresses?: LookupAddress[]) => void;
type LookupOneCallback = (error: NodeJS.ErrnoException | null, address?: string, family?: number) => void;

/** Wraps a resolver so every address it returns (all of them, for Happy Eyeballs) is checked. */
function guardedLookup(inner: LookupFunction, allow: AllowList): LookupFunction {
  const wrapped = (hostname: string, options: { all?: boolean }, callback: LookupAllCallback | LookupOneCallback) => {
    (inner as (h: string, o: object, cb: (...args: unknown[]) => void) => void)(hostname, options, (...args) => {
      const [error, first, family] = args as [NodeJS.ErrnoException | null, string | LookupAddress[], number];
      if (error) return (callback as LookupOneCallback)(error);
      const addresses = Array.isArray(first) ? first.map((a) => a.address) : [first];
      for (const address of addresses) {
        const range = blockedRange(address, allow);
        if (range) return (callback as LookupOneCallback)(refusal(hostname, address, range));
      }
      if (Array.isArray(first)) (callback as LookupAllCallback)(null, first);
      else (callback as LookupOneCallback)(null, first, family);
    });
  };
  return wrapped as unknown as LookupFunction;
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

/**
 * The check every agent runs when it opens a connection (never for a reused keep-alive socket,
 * which was checked when it opened): an IP literal is judged at once, a host name at resolution
 * time, on the address the socket will actually connect to, so DNS rebinding and redirects
 * cannot get past it. Returns options with the guarded resolver, or the error to fail with.
 */
function guardConnection(options: http.ClientRequestArgs, allow: AllowList): http.ClientRequestArgs | SsrfBlockedError {
  const host = (options.host ?? 'localhost').toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (allow.hosts.has(host.replace(/\.$/, ''))) return options;
  if (isIP(host)) {
    const range = blockedRange(host, allow);
    return range ? refusal(host, host, range) : options;
  }
  return { ...options, lookup: guardedLookup(options.lookup ?? (dnsLookup as unknown as LookupFunction), allow) };
}

function failedSocket(error: Error, callback?: ConnectionCallback): Socket {
  const socket = new Socket();
  if (callback) callback(error, socket);
  else process.nextTick(() => socket.destroy(error));
  return socket;
}

export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

/**
 * Keep-alive agents for callbacks, with the SSRF guard on every new connection. `maxSockets`
 * bounds the connections per target (default: unbounded, since worker.count already bounds them).
 */
export function createGuardedAgents(allow: AllowList, options: http.AgentOptions = {}): GuardedAgents {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 64, scheduling: 'lifo', ...options };
  class GuardedHttpAgent extends http.Agent {
    override createConnection(connect: http.ClientRequestArgs, callback?: ConnectionCallback) {
      const guarded = guardConnection(connect, allow);
      if (guarded instanceof Error) return failedSocket(guarded, callback);
      return super.createConnection(guarded, callback);
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(connect: http.ClientRequestArgs, callback?: ConnectionCallback) {
      const guarded = guardConnection(connect, allow);
      if (guarded instanceof Error) return failedSocket(guarded, callback);
      return super.createConnection(guarded, callback);
    }
  }
  const agents = {
    http: new GuardedHttpAgent(agentOptions as http.AgentOptions),
    https: new GuardedHttpsAgent(agentOptions as https.AgentOptions),
  };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
