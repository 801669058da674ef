import http from 'node:http';
import { parseAllowList } from '@event-scheduler/callback';
import { describe, expect, it } from '@jest/globals';
import { createGuardedAgents, SsrfBlockedError } from './ssrf-guard.js';

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
