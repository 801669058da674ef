import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { blockedRange, createGuardedAgents, parseAllowList, SsrfBlockedError } from './ssrf-guard.js';

const none = parseAllowList('');

describe('blockedRange (address classification, no connection)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.0.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped IPv6 is judged as the IPv4 it carries.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['[::ffff:192.168.0.1]', 'private'],
    // IPv4-compatible and translated forms.
    ['::a9fe:a9fe', 'ipv4Compatible'],
    ['::7f00:2', 'ipv4Compatible'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'discard'],
    ['4000::1', 'reserved'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['not an address', 'unparseable'],
  ])('refuses %s (%s)', (address, range) => {
    expect(blockedRange(address, none)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(blockedRange(address, none)).toBeNull();
  });

  it('lets the allow list open exact addresses and CIDRs, nothing more', () => {
    const allow = parseAllowList('127.0.0.1, 10.1.0.0/16 ,[::1], fd00::/8, receiver.local');
    expect(blockedRange('127.0.0.1', allow)).toBeNull();
    expect(blockedRange('::ffff:127.0.0.1', allow)).toBeNull();
    expect(blockedRange('127.0.0.2', allow)).toBe('loopback');
    expect(blockedRange('10.1.200.3', allow)).toBeNull();
    expect(blockedRange('10.2.0.1', allow)).toBe('private');
    expect(blockedRange('::1', allow)).toBeNull();
    expect(blockedRange('fd00::5', allow)).toBeNull();
    expect(blockedRange('fc00::5', allow)).toBe('uniqueLocal');
    expect(blockedRange('169.254.169.254', allow)).toBe('linkLocal');
    expect([...allow.hosts]).toEqual(['receiver.local']);
  });

  it('rejects a malformed CIDR in the allow list at start-up', () => {
    expect(() => parseAllowList('10.0.0.0/99')).toThrow('worker.ssrf_allow_list: 10.0.0.0/99 is not a valid CIDR');
  });
});

/** Resolves every name to `address` without DNS: a rebinding resolver in a box. */
const fakeLookup =
  (address: string, family: number) =>
  (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };

function request(url: string, allowList: string, lookup?: ReturnType<typeof fakeLookup>): Promise<Error | number> {
  const agents = createGuardedAgents(parseAllowList(allowList));
  return new Promise((resolve) => {
    const req = http.request(url, { agent: agents.http, ...(lookup ? { lookup: lookup as never } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => resolve(error));
    req.end();
  }).finally(() => agents.destroy()) as Promise<Error | number>;
}

describe('guarded agents (refused before any connection is attempted)', () => {
  it.each([
    ['metadata.example', '169.254.169.254', 4],
    ['intranet.example', '10.0.0.7', 4],
    ['rebind.example', '192.168.0.10', 4],
    ['cgnat.example', '100.64.1.1', 4],
    ['v6.example', 'fd00::1', 6],
  ])('refuses %s when it resolves to %s', async (host, address, family) => {
    const outcome = await request(`http://${host}:8080/hook`, '', fakeLookup(address, family));
    expect(outcome).toBeInstanceOf(SsrfBlockedError);
    expect((outcome as Error).message).toContain(`${address} (${host} resolves to it)`);
    expect((outcome as Error).message).toContain('worker.ssrf_allow_list');
  });

  it.each([
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00::1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://0x7f000001/',
    'http://2130706433/',
  ])('refuses the IP literal in %s', async (url) => {
    const outcome = await request(url, '');
    expect(outcome).toBeInstanceOf(SsrfBlockedError);
  });

  it('a host name on the allow list skips the address check', async () => {
    // Resolved to an address nothing listens on (port 9 on loopback): the refusal would come first.
    const outcome = await request('http://receiver.local:9/', 'receiver.local', fakeLookup('127.0.0.1', 4));
    expect(outcome).not.toBeInstanceOf(SsrfBlockedError);
    expect((outcome as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});
