import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { type AllowList, blockedRange, describeBlocked } from '@event-scheduler/callback';

/** Every address a host resolved to passed the SSRF policy: connect only to these. */
export interface Allowed {
  ok: true;
  addresses: string[];
}

/** The host may not be reached (`ssrf_blocked`) or could not be resolved (`network`). */
export interface Refused {
  ok: false;
  kind: 'ssrf_blocked' | 'network';
  message: string;
}

export type Resolution = Allowed | Refused;

export type LookupAll = (hostname: string) => Promise<{ address: string }[]>;

export interface ResolverOptions {
  allowList: AllowList;
  /** How long a resolution (and its verdict) is reused. Default 10 s. */
  ttlMs?: number;
  /** The resolver; default `dns.lookup(host, { all: true })`, which honours /etc/hosts as got does. */
  lookup?: LookupAll;
}

export interface Resolver {
  resolve(hostname: string): Promise<Resolution>;
  /** A cached verdict still fresh, without waiting: the send path's check. */
  cached(hostname: string): Resolution | undefined;
}

const systemLookup: LookupAll = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

/**
 * Resolves callback hosts once per TTL and judges EVERY address with the SSRF policy. The sender
 * connects only to addresses judged here, so a name that later resolves elsewhere (DNS rebinding)
 * cannot lead a connection to an address that was not checked. Failed lookups are not cached.
 */
export function createResolver({ allowList, ttlMs = 10_000, lookup = systemLookup }: ResolverOptions): Resolver {
  const cache = new Map<string, { resolution: Resolution; expiresAt: number }>();
  const inFlight = new Map<string, Promise<Resolution>>();

  async function lookupAndJudge(hostname: string): Promise<Resolution> {
    let addresses: string[];
    try {
      addresses = (await lookup(hostname)).map((entry) => entry.address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
      return { ok: false, kind: 'network', message: `could not resolve ${hostname} (${code})` };
    }
    if (addresses.length === 0) return { ok: false, kind: 'network', message: `${hostname} resolved to no address` };
    const resolution = judge(hostname, addresses, allowList);
    cache.set(hostname, { resolution, expiresAt: Date.now() + ttlMs });
    return resolution;
  }

  return {
    cached(hostname) {
      const hit = cache.get(hostname);
      if (!hit) return undefined;
      if (hit.expiresAt > Date.now()) return hit.resolution;
      cache.delete(hostname);
      return undefined;
    },
    resolve(hostname) {
      const hit = this.cached(hostname);
      if (hit) return Promise.resolve(hit);
      if (isIP(hostname)) {
        // A literal needs no lookup; its verdict is cached like a name's so the next check is a map read.
        const resolution = judge(hostname, [hostname], allowList);
        cache.set(hostname, { resolution, expiresAt: Date.now() + ttlMs });
        return Promise.resolve(resolution);
      }
      let pending = inFlight.get(hostname);
      if (!pending) {
        pending = lookupAndJudge(hostname).finally(() => inFlight.delete(hostname));
        inFlight.set(hostname, pending);
      }
      return pending;
    },
  };
}

/** Allowed only when every address passes (Happy Eyeballs or a retry could pick any of them). */
function judge(hostname: string, addresses: string[], allowList: AllowList): Resolution {
  if (allowList.hosts.has(hostname.replace(/\.$/, ''))) return { ok: true, addresses };
  for (const address of addresses) {
    const range = blockedRange(address, allowList);
    if (range) {
      const message = `callback refused: ${describeBlocked(hostname, address, range)}; add it to worker.ssrf_allow_list to allow it`;
      return { ok: false, kind: 'ssrf_blocked', message };
    }
  }
  return { ok: true, addresses };
}
