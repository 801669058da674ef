import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a callback may reach: pure functions, no I/O. The worker applies them to every
 * address a connection resolves to; the API applies them to a callback URL whose host is an
 * address literal, so such a URL is refused when it is saved rather than at every delivery.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** What `worker.ssrf_allow_list` permits besides public unicast addresses. */
export interface AllowList {
  /** IPs (as /32 or /128) and CIDRs; an address in one of them is allowed whatever its range. */
  ranges: [Address, number][];
  /** Lower-case host names; a URL with one of these hosts is not checked at all. */
  hosts: Set<string>;
}

/** A host name entry: DNS labels (underscores tolerated), an optional trailing dot. */
const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;
/** Entries made of digits and dots only, or with a colon, are meant as addresses, never names. */
const LOOKS_LIKE_ADDRESS = /^[0-9.]+$|:/;

const unbracket = (text: string) => text.replace(/^\[(.*)\]$/, '$1');

/** One allow-list entry, or why it is not one. */
function parseEntry(entry: string): { range: [Address, number] } | { host: string } | { problem: string } {
  if (entry.includes('/')) {
    return ipaddr.isValidCIDR(entry) ? { range: ipaddr.parseCIDR(entry) } : { problem: `${entry} is not a valid CIDR` };
  }
  if (isIP(entry)) {
    const address = ipaddr.parse(entry);
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  if (LOOKS_LIKE_ADDRESS.test(entry)) return { problem: `${entry} is not a valid IP address` };
  if (!HOST_NAME.test(entry)) return { problem: `${entry} is not a valid host name` };
  return { host: entry.replace(/\.$/, '') };
}

const entriesOf = (text: string) =>
  text
    .split(',')
    .map((raw) => unbracket(raw.trim().toLowerCase()))
    .filter(Boolean);

/** The first reason `text` is not a valid allow list, or null when it is (the configuration check). */
export function allowListProblem(text: string): string | null {
  for (const entry of entriesOf(text)) {
    const parsed = parseEntry(entry);
    if ('problem' in parsed) return parsed.problem;
  }
  return null;
}

/**
 * Parses `a, b, c`: each entry an IP, a CIDR or a host name (IPv6 may be bracketed). Throws on a
 * bad entry; configuration loading checks the same rule first ({@link allowListProblem}).
 */
export function parseAllowList(text: string): AllowList {
  const list: AllowList = { ranges: [], hosts: new Set() };
  for (const entry of entriesOf(text)) {
    const parsed = parseEntry(entry);
    if ('problem' in parsed) throw new Error(`worker.ssrf_allow_list: ${parsed.problem}`);
    if ('range' in parsed) list.ranges.push(parsed.range);
    else list.hosts.add(parsed.host);
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
    parsed = ipaddr.process(unbracket(address));
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

/** `127.0.0.1 is a loopback address`, `10.0.0.7 (intranet.example resolves to it) is a private address`. */
export function describeBlocked(host: string, address: string, range: string): string {
  const what = RANGE_LABELS[range] ?? range;
  const via = host === address ? '' : ` (${host} resolves to it)`;
  return `${address}${via} is ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what} address`;
}

/**
 * The address a URL host denotes when it is an IP literal, in the canonical form the HTTP client
 * connects to, or null for a name. Parsed as a WHATWG URL host, as the client parses it, so every
 * spelling counts: `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` are all 127.0.0.1.
 */
export function literalAddress(host: string): string | null {
  const bare = unbracket(host);
  let hostname: string;
  try {
    hostname = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    return null;
  }
  const address = unbracket(hostname);
  return isIP(address) ? address : null;
}

/** Why a callback URL may never be delivered to, judged without DNS: its host is a blocked literal. */
export interface BlockedTarget {
  address: string;
  range: string;
  /** For people, e.g. `169.254.169.254 is a link-local (...) address`. */
  message: string;
}

/**
 * The verdict on a callback URL's host when it is an address literal: null when the URL may be
 * stored (a public address, a host on the allow list, or a name: names are judged on what they
 * resolve to, at connection time, by the worker).
 */
export function blockedTarget(url: URL, allow: AllowList): BlockedTarget | null {
  const host = unbracket(url.hostname.toLowerCase());
  if (allow.hosts.has(host.replace(/\.$/, ''))) return null;
  const address = literalAddress(host);
  if (!address) return null;
  const range = blockedRange(address, allow);
  return range ? { address, range, message: describeBlocked(address, address, range) } : null;
}
