import { parseAllowList } from '@event-scheduler/callback';
import { type Receiver, startReceiver } from '@event-scheduler/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createSender, type Sender, type SenderOptions } from './sender.js';
import type { CallbackRequest } from './types.js';

const base = { capBytes: 4096, snippetBytes: 64, followRedirects: false };
const post = (url: string, extra: Partial<CallbackRequest> = {}): CallbackRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'text/plain', authorization: 'Bearer secret', 'webhook-id': 'msg_1' },
  body: 'payload',
  timeoutMs: 2000,
  ...extra,
});

let receiver: Receiver;
const senders: Sender[] = [];

function newSender(options: Partial<SenderOptions> & Pick<SenderOptions, 'allowList'>): Sender {
  const sender = createSender({ ...base, ...options });
  senders.push(sender);
  return sender;
}

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
afterEach(async () => {
  await Promise.all(senders.splice(0).map((sender) => sender.close()));
  receiver.requests.length = 0;
  receiver.respond = () => ({ status: 200, body: 'ok' });
});

describe('SSRF policy', () => {
  it('refuses a loopback target without an allow list, and nothing reaches it', async () => {
    const sender = newSender({ allowList: parseAllowList('') });
    const prepared = await sender.prepare(post(`${receiver.url}/x`));
    expect(prepared.refusal?.errorKind).toBe('ssrf_blocked');
    const result = await sender.send(prepared);
    expect(result).toMatchObject({ statusCode: null, errorKind: 'ssrf_blocked', writtenAt: null });
    expect(result.errorMessage).toMatch(/127\.0\.0\.1 is a loopback address; add it to worker\.ssrf_allow_list/);
    expect(sender.stats().opened).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    'http://[::1]:9/',
    'http://0x7f000001:9/',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/',
    'http://[::ffff:127.0.0.1]:9/',
  ])('refuses %s however it is spelled', async (url) => {
    const sender = newSender({ allowList: parseAllowList('') });
    expect((await sender.send(await sender.prepare(post(url)))).errorKind).toBe('ssrf_blocked');
  });

  it('sends to an allow-listed loopback receiver', async () => {
    const sender = newSender({ allowList: parseAllowList('127.0.0.1') });
    expect(await sender.send(await sender.prepare(post(receiver.url)))).toMatchObject({ statusCode: 200 });
  });

  it('judges every address a name resolves to, and refuses when any is blocked', async () => {
    const lookup = async () => [{ address: '93.184.216.34' }, { address: '10.1.2.3' }];
    const sender = newSender({ allowList: parseAllowList(''), lookup });
    const result = await sender.send(await sender.prepare(post('http://mixed.example/')));
    expect(result.errorKind).toBe('ssrf_blocked');
    expect(result.errorMessage).toMatch(/10\.1\.2\.3 \(mixed\.example resolves to it\) is a private address/);
  });

  it('connects to the address it judged and sends the original Host header (no second lookup)', async () => {
    let lookups = 0;
    // A rebinding resolver: the first answer is the allowed receiver, every later one a metadata address.
    const lookup = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254' }];
    const sender = newSender({ allowList: parseAllowList('127.0.0.1'), lookup });
    const url = `http://hooks.example:${receiver.port}/in`;
    const first = await sender.send(await sender.prepare(post(url)));
    const second = await sender.send(await sender.prepare(post(url)));
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(lookups).toBe(1);
    const seen = await receiver.waitFor(2);
    expect(seen.map((r) => r.headers.host)).toEqual([
      `hooks.example:${receiver.port}`,
      `hooks.example:${receiver.port}`,
    ]);
  });

  it('does not check a host name on the allow list', async () => {
    const lookup = async () => [{ address: '127.0.0.1' }];
    const sender = newSender({ allowList: parseAllowList('receiver.internal'), lookup });
    const result = await sender.send(await sender.prepare(post(`http://receiver.internal:${receiver.port}/`)));
    expect(result.statusCode).toBe(200);
  });

  it('reports a name that does not resolve as a network error (retryable), not a refusal', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const sender = newSender({ allowList: parseAllowList(''), lookup });
    const prepared = await sender.prepare(post('http://nowhere.example/'));
    expect(prepared.refusal).toBeNull();
    expect(await sender.send(prepared)).toMatchObject({
      errorKind: 'network',
      errorMessage: 'could not resolve nowhere.example (ENOTFOUND)',
    });
  });
});

describe('redirects', () => {
  const allowList = parseAllowList('127.0.0.1');

  it('returns a redirect as it is when following is off', async () => {
    receiver.respond = () => ({ status: 302, headers: { location: '/elsewhere' } });
    const sender = newSender({ allowList });
    const result = await sender.send(await sender.prepare(post(receiver.url)));
    expect(result).toMatchObject({ statusCode: 302, errorKind: null });
    expect(result.headers.location).toBe('/elsewhere');
  });

  it('follows a same-origin 307 keeping method, body and headers', async () => {
    receiver.respond = (r) => (r.path === '/start' ? { status: 307, headers: { location: '/end' } } : { status: 204 });
    const sender = newSender({ allowList, followRedirects: true });
    const result = await sender.send(await sender.prepare(post(`${receiver.url}/start`)));
    expect(result).toMatchObject({ statusCode: 204, errorKind: null });
    const [, second] = await receiver.waitFor(2);
    expect(second).toMatchObject({ method: 'POST', path: '/end', body: 'payload' });
    expect(second?.headers.authorization).toBe('Bearer secret');
  });

  it('turns a 303 into a GET without the body', async () => {
    receiver.respond = (r) => (r.path === '/start' ? { status: 303, headers: { location: '/see' } } : { status: 200 });
    const sender = newSender({ allowList, followRedirects: true });
    await sender.send(await sender.prepare(post(`${receiver.url}/start`)));
    const [, second] = await receiver.waitFor(2);
    expect(second).toMatchObject({ method: 'GET', path: '/see', body: '' });
    expect(second?.headers['content-type']).toBeUndefined();
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const other = await startReceiver();
    try {
      receiver.respond = () => ({ status: 307, headers: { location: `${other.url}/moved` } });
      const sender = newSender({ allowList, followRedirects: true });
      expect((await sender.send(await sender.prepare(post(receiver.url)))).statusCode).toBe(200);
      const [moved] = await other.waitFor(1);
      expect(moved).toMatchObject({ method: 'POST', body: 'payload' });
      expect(moved?.headers.authorization).toBeUndefined();
      expect(moved?.headers['webhook-id']).toBe('msg_1');
    } finally {
      await other.close();
    }
  });

  it('re-checks every hop: a redirect to a blocked address is refused', async () => {
    receiver.respond = () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
    const sender = newSender({ allowList, followRedirects: true });
    const result = await sender.send(await sender.prepare(post(receiver.url)));
    expect(result.errorKind).toBe('ssrf_blocked');
    expect(result.errorMessage).toMatch(/169\.254\.169\.254 is a link-local/);
    expect(result.writtenAt).not.toBeNull();
  });

  it('stops after maxRedirects', async () => {
    receiver.respond = (_r, index) => ({ status: 302, headers: { location: `/hop-${index + 1}` } });
    const sender = newSender({ allowList, followRedirects: true, maxRedirects: 2 });
    const result = await sender.send(await sender.prepare(post(receiver.url)));
    expect(result).toMatchObject({ statusCode: 302, errorKind: 'http_status' });
    expect(result.errorMessage).toMatch(/redirected 2 times/);
    expect(receiver.requests).toHaveLength(3);
  });
});
