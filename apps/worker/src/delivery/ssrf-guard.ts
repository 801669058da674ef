import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What `worker.ssrf_allow_list` permits besides public unicast addresses. */
export interface AllowList {
  /** IPs (as /32 or /128) and CIDRs; an address in one of them is allowed whatever its range. */
  ranges: [Address, number][];
  /** Lower-case host names; a URL with one of these hosts is not checked at all. */
  hosts: Set<string>;
}

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

/** Parses `a, b, c`: each entry an IP, a CIDR or a host name (IPv6 may be bracketed). */
export function parseAllowList(text: string): AllowList {
  const list: AllowList = { ranges: [], hosts: new Set() };
  for (const raw of text.split(',')) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (!entry) continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`worker.ssrf_allow_list: ${entry} is not a valid CIDR`);
      list.ranges.push(ipaddr.parseCIDR(entry));
    } else if (isIP(entry)) {
      const address = ipaddr.parse(entry);
      list.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      list.hosts.add(entry.replace(/\.$/, ''));
    }
  }
  return list;
}

// IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls it unicast, but it embeds an IPv4.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');
// Every globally routable IPv6 unicast address lies in 2000::/3; the rest is special or unassigned.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

const RANGE_LABELS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local (this includes the cloud metadata address 169.254.169.254)',
  uniqueLocal: 'unique-local',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  ipv4Compatible: 'IPv4-compatible IPv6',
};

/**
 * The range an address belongs to when a callback may not reach it, or null when it may: only
 * public unicast addresses pass (loopback, private, link-local, metadata, CGNAT, unique-local,
 * multicast, reserved, NAT64/6to4/Teredo encapsulations ... are refused), unless the allow list
 * names the address. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 it carries.
 */
export function blockedRange(address: string, allow: Pick<AllowList, 'ranges'>): string | null {
  let parsed: Address;
  try {
    parsed = ipaddr.process(address.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return 'unparseable';
  }
  for (const [base, bits] of allow.ranges) {
    if (base.kind() === parsed.kind() && parsed.match(base, bits)) return null;
  }
  const range = parsed.range();
  if (range !== 'unicast') return range;
  if (parsed.kind() === 'ipv6') {
    if (parsed.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
    if (!parsed.match(GLOBAL_UNICAST_V6)) return 'reserved';
  }
  return null;
}

function refusal(host: string, address: string, range: string): SsrfBlockedError {
  const what = RANGE_LABELS[range] ?? range;
  const via = host === address ? '' : ` (${host} resolves to it)`;
  return new SsrfBlockedError(
    `callback refused: ${address}${via} is ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} address; add it to worker.ssrf_allow_list to allow it`,
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
