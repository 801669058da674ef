import { describe, expect, it } from '@jest/globals';
import { allowListProblem, blockedRange, blockedTarget, literalAddress, parseAllowList } from './ssrf-policy.js';

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
});

describe('the allow list itself', () => {
  it.each([
    ['10.0.0.0/99', '10.0.0.0/99 is not a valid CIDR'],
    ['127.0.0.1, 10.0.0.300', '10.0.0.300 is not a valid IP address'],
    ['fd00::zz', 'fd00::zz is not a valid IP address'],
    ['good.example, bad host', 'bad host is not a valid host name'],
    ['-leading.example', '-leading.example is not a valid host name'],
  ])('names the bad entry in %s', (text, problem) => {
    expect(allowListProblem(text)).toBe(problem);
    expect(() => parseAllowList(text)).toThrow(`worker.ssrf_allow_list: ${problem}`);
  });

  it.each(['', ' , ', '127.0.0.0/8,::1/128,localhost', '[::1], receiver.local., my_host.internal'])(
    'accepts %j',
    (text) => {
      expect(allowListProblem(text)).toBeNull();
      expect(() => parseAllowList(text)).not.toThrow();
    },
  );

  it('keeps host names lower case without their trailing dot', () => {
    expect([...parseAllowList('Receiver.Local., localhost').hosts]).toEqual(['receiver.local', 'localhost']);
  });
});

describe('literalAddress (a URL host as the HTTP client reads it)', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['::1', '::1'],
    ['169.254.169.254', '169.254.169.254'],
  ])('reads %s as %s', (host, address) => {
    expect(literalAddress(host)).toBe(address);
  });

  it.each(['example.com', 'localhost', '1.2.3.4.5', ''])('reads %j as no address', (host) => {
    expect(literalAddress(host)).toBeNull();
  });
});

describe('blockedTarget (a callback URL judged without DNS)', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'linkLocal'],
    ['http://10.0.0.1/', '10.0.0.1', 'private'],
    ['http://127.0.0.1:8080/hook', '127.0.0.1', 'loopback'],
    ['http://[::1]/', '::1', 'loopback'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe', 'linkLocal'],
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0x7f000001/', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://0xa9fea9fe/', '169.254.169.254', 'linkLocal'],
  ])('refuses %s', (url, address, range) => {
    const blocked = blockedTarget(new URL(url), none);
    expect(blocked).toMatchObject({ address, range });
    expect(blocked?.message).toMatch(new RegExp(`^${address.replaceAll('.', '\\.')} is an? `));
  });

  it.each(['https://example.com/hook', 'http://localhost/', 'http://8.8.8.8/', 'http://[2606:4700:4700::1111]/'])(
    'leaves %s to the worker (public, or a name judged at connection time)',
    (url) => {
      expect(blockedTarget(new URL(url), none)).toBeNull();
    },
  );

  it('lets the allow list open an address or a host name', () => {
    const allow = parseAllowList('127.0.0.0/8, 10.0.0.9');
    expect(blockedTarget(new URL('http://2130706433/'), allow)).toBeNull();
    expect(blockedTarget(new URL('http://10.0.0.9/'), allow)).toBeNull();
    expect(blockedTarget(new URL('http://10.0.0.8/'), allow)?.range).toBe('private');
    expect(blockedTarget(new URL('http://[fd00::1]/'), parseAllowList('fd00::1'))).toBeNull();
  });
});
