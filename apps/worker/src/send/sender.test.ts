import zlib from 'node:zlib';
import { parseAllowList } from '@event-scheduler/callback';
import { type Receiver, startReceiver } from '@event-scheduler/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, httpServer, onRequestHead, rawServer } from '../../test/send-servers.js';
import { createSender, type Sender, type SenderOptions } from './sender.js';
import type { CallbackRequest } from './types.js';

const allowList = parseAllowList('127.0.0.1');
const settings: SenderOptions = { allowList, capBytes: 4096, snippetBytes: 64, followRedirects: false };

function request(url: string, extra: Partial<CallbackRequest> = {}): CallbackRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body: '{"hello":"world"}',
    timeoutMs: 2000,
    ...extra,
  };
}

let sender: Sender;
let receiver: Receiver;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  receiver.respond = () => ({ status: 200, body: 'ok' });
  receiver.requests.length = 0;
});

function newSender(options: Partial<SenderOptions> = {}): Sender {
  const created = createSender({ ...settings, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function sendOnce(req: CallbackRequest, options: Partial<SenderOptions> = {}, signal?: AbortSignal) {
  sender = newSender(options);
  return sender.send(await sender.prepare(req), signal);
}

describe('send: answers', () => {
  it('writes the prepared request and returns the answer with when it was written', async () => {
    receiver.respond = () => ({ status: 201, headers: { 'x-answer': 'yes' }, body: 'created it' });
    const before = performance.timeOrigin + performance.now();
    const result = await sendOnce(request(`${receiver.url}/hooks/a?x=1`), { userAgent: 'event-scheduler-test' });
    expect(result).toMatchObject({ statusCode: 201, errorKind: null, errorMessage: null, snippet: 'created it' });
    expect(result.headers['x-answer']).toBe('yes');
    expect(result.writtenAt).toBeGreaterThanOrEqual(before);
    const [seen] = await receiver.waitFor(1);
    expect(seen).toMatchObject({ method: 'POST', path: '/hooks/a?x=1', body: '{"hello":"world"}' });
    expect(seen?.headers).toMatchObject({
      host: receiver.url.replace('http://', ''),
      'content-type': 'application/json',
      'content-length': '17',
      'webhook-id': 'msg_1',
      'user-agent': 'event-scheduler-test',
    });
  });

  it.each([404, 500, 503])('returns HTTP %i as a status, not an error', async (status) => {
    receiver.respond = () => ({ status, body: 'nope' });
    const result = await sendOnce(request(receiver.url));
    expect(result).toMatchObject({ statusCode: status, errorKind: null, snippet: 'nope' });
  });

  it('sends GET and HEAD without a body and reads no body for HEAD', async () => {
    receiver.respond = () => ({ status: 200, body: 'a body HEAD must not read' });
    const head = await sendOnce(request(receiver.url, { method: 'HEAD', body: null }));
    expect(head).toMatchObject({ statusCode: 200, errorKind: null, snippet: null });
    const get = await sendOnce(request(receiver.url, { method: 'GET', body: null }));
    expect(get).toMatchObject({ statusCode: 200, snippet: 'a body HEAD must not read' });
    const seen = await receiver.waitFor(2);
    expect(seen.map((r) => [r.method, r.body, r.headers['content-length']])).toEqual([
      ['HEAD', '', undefined],
      ['GET', '', undefined],
    ]);
  });

  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['deflate', zlib.deflateRawSync],
    ['br', zlib.brotliCompressSync],
  ] as const)('decodes a %s body for the snippet', async (encoding, compress) => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': encoding }).end(compress(Buffer.from('decoded snippet text')));
    });
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ statusCode: 200, errorKind: null, snippet: 'decoded snippet text' });
  });

  it('reads a chunked body and keeps only the snippet', async () => {
    const server = await httpServer((_req, res) => {
      res.write('a'.repeat(50));
      res.end('b'.repeat(50));
    });
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result.snippet).toBe(`${'a'.repeat(50)}${'b'.repeat(14)}`);
    expect(result.errorKind).toBeNull();
  });
});

describe('send: failures', () => {
  it('times out when the headers never come', async () => {
    const server = await rawServer((socket) => socket.on('data', () => undefined));
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url, { timeoutMs: 300 }));
    expect(result).toMatchObject({ statusCode: null, errorKind: 'timeout' });
    expect(result.errorMessage).toMatch(/300 ms/);
    expect(result.writtenAt).not.toBeNull();
  });

  it('times out when the body drips forever, keeping what came', async () => {
    receiver.respond = () => ({ status: 200, dripBytes: 1_000_000, dripEveryMs: 20 });
    const result = await sendOnce(request(receiver.url, { timeoutMs: 300 }), { capBytes: 10_000_000 });
    expect(result).toMatchObject({ statusCode: 200, errorKind: 'timeout' });
    expect(result.snippet).toBe('x'.repeat(64));
  });

  it('stops reading past the cap and closes the connection', async () => {
    const server = await httpServer((_req, res) => res.end('y'.repeat(100_000)));
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ statusCode: 200, errorKind: 'response_too_large', snippet: 'y'.repeat(64) });
    expect(result.errorMessage).toBe('response body exceeds 4096 bytes; stopped reading');
    await eventually(() => server.open() === 0);
  });

  it('applies the cap to the decoded body (a small gzip that inflates past it)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(1_000_000, 'z'));
    const server = await httpServer((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb));
    cleanups.push(server.close);
    expect(bomb.length).toBeLessThan(4096);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ errorKind: 'response_too_large', snippet: 'z'.repeat(64) });
  });

  it('reports a reset connection as a network error', async () => {
    const server = await rawServer((socket) => onRequestHead(socket, () => socket.resetAndDestroy()));
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ statusCode: null, errorKind: 'network' });
    expect(result.errorMessage).toMatch(/ECONNRESET|closed/);
  });

  it('reports a refused connection as a network error, without having written', async () => {
    const server = await rawServer(() => undefined);
    await server.close();
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ errorKind: 'network', writtenAt: null });
    expect(result.errorMessage).toMatch(/ECONNREFUSED/);
  });

  it('reports a malformed answer as a network error', async () => {
    const server = await rawServer((socket) =>
      onRequestHead(socket, () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')),
    );
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ statusCode: 200, errorKind: 'network' });
    expect(result.errorMessage).toMatch(/malformed response: invalid content-length/);
  });

  it('reports an answer cut short as a network error, keeping its status', async () => {
    const server = await rawServer((socket) =>
      onRequestHead(socket, () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 100\r\n\r\npartial')),
    );
    cleanups.push(server.close);
    const result = await sendOnce(request(server.url));
    expect(result).toMatchObject({ statusCode: 502, errorKind: 'network', snippet: 'partial' });
  });

  it('aborts: before the send, nothing is written; during it, the connection is dropped', async () => {
    const early = await sendOnce(request(receiver.url), {}, AbortSignal.abort(new Error('worker stopping')));
    expect(early).toMatchObject({
      errorKind: 'aborted',
      errorMessage: 'attempt aborted: worker stopping',
      writtenAt: null,
    });
    receiver.respond = () => ({ status: 200, delayMs: 5000 });
    const controller = new AbortController();
    const pending = sendOnce(request(receiver.url), {}, controller.signal);
    await receiver.waitFor(1);
    controller.abort(new Error('lock lost'));
    expect(await pending).toMatchObject({ errorKind: 'aborted', errorMessage: 'attempt aborted: lock lost' });
    expect(sender.stats()).toMatchObject({ idle: 0 });
  });

  it.each([
    ['a URL that is not one', { url: 'not a url' }, /invalid callback URL/],
    ['a protocol other than http(s)', { url: 'ftp://127.0.0.1/x' }, /unsupported protocol ftp:/],
    ['a header value with a line break', { headers: { 'x-a': 'b\r\nx-injected: 1' } }, /invalid header "x-a"/],
    ['a framing header', { headers: { 'Content-Length': '5' } }, /Content-Length is set by the sender/],
    ['a method that is not a token', { method: 'PO ST' }, /invalid method/],
    ['a zero timeout', { timeoutMs: 0 }, /invalid timeout/],
  ])('refuses %s as an invalid request, at prepare, without throwing', async (_label, extra, message) => {
    sender = newSender();
    const prepared = await sender.prepare(request(receiver.url, extra as Partial<CallbackRequest>));
    expect(prepared.refusal?.errorKind).toBe('invalid_request');
    const result = await sender.send(prepared);
    expect(result).toMatchObject({ statusCode: null, errorKind: 'invalid_request', writtenAt: null });
    expect(result.errorMessage).toMatch(message);
  });
});
