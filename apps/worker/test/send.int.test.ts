import { parseAllowList } from '@event-scheduler/callback';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createSender, type Sender } from '../src/send/index.js';
import type { CallbackRequest } from '../src/send/types.js';
import { eventually, httpServer, type LoopbackServer, onRequestHead, rawServer } from './send-servers.js';

/**
 * The sender's connection behaviour against real loopback servers that count connections:
 * bursts, keep-alive reuse, servers that close or misbehave on idle connections, and no socket
 * left behind after close.
 */

const allowList = parseAllowList('127.0.0.0/8');
const post = (url: string, n = 0): CallbackRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'webhook-id': `msg_${n}` },
  body: JSON.stringify({ n }),
  timeoutMs: 10_000,
});

// Generous limits for a loaded 2-core machine; nothing here asserts on time.
jest.setTimeout(60_000);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: Parameters<typeof httpServer>[0], host?: string): Promise<LoopbackServer> {
  const started = await httpServer(handler, host);
  started.server.keepAliveTimeout = 30_000;
  cleanups.push(started.close);
  return started;
}

function sender(): Sender {
  const created = createSender({ allowList, capBytes: 65_536, snippetBytes: 256, followRedirects: false });
  cleanups.push(() => created.close());
  return created;
}

describe('sender connections', () => {
  it('sends a burst of 1,000 prepared requests to one receiver at once and gets every answer', async () => {
    const seen = new Set<string>();
    const target = await server((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.add(body);
        res.end(`ack ${body}`);
      });
    });
    const s = sender();
    const first = await s.prepare(post(target.url, 0), { expected: 1000 });
    const rest = await Promise.all(Array.from({ length: 999 }, (_, i) => s.prepare(post(target.url, i + 1))));
    expect(s.stats()).toMatchObject({ idle: 1000, opened: 1000 });
    await eventually(() => target.accepted() === 1000);
    const results = await Promise.all([first, ...rest].map((prepared) => s.send(prepared)));
    expect(results.filter((r) => r.statusCode === 200 && r.errorKind === null)).toHaveLength(1000);
    expect(results.every((r, i) => r.snippet === `ack {"n":${i}}` && r.writtenAt !== null)).toBe(true);
    expect(seen.size).toBe(1000);
    // Every request went out on a warm connection: none was opened at the instant.
    expect(target.accepted()).toBe(1000);
  }, 120_000);

  it('reuses one keep-alive connection for sequential sends', async () => {
    const target = await server((_req, res) => res.end('ok'));
    const s = sender();
    for (let i = 0; i < 20; i++) {
      expect((await s.send(await s.prepare(post(target.url, i)))).statusCode).toBe(200);
    }
    expect(target.accepted()).toBe(1);
    expect(s.stats()).toMatchObject({ idle: 1, busy: 0, opened: 1 });
  });

  it('sends a burst to many origins, one warm connection each', async () => {
    const target = await server((_req, res) => res.end('ok'), '0.0.0.0');
    const s = sender();
    const urls = Array.from({ length: 50 }, (_, i) => `http://127.0.0.${i + 1}:${target.port}/`);
    const prepared = await Promise.all(urls.map((url, i) => s.prepare(post(url, i))));
    const results = await Promise.all(prepared.map((p) => s.send(p)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(target.accepted()).toBe(50);
    expect(s.stats().origins).toBe(50);
  });

  it('opens a new connection when the server answered with Connection: close', async () => {
    const target = await server((_req, res) => res.setHeader('connection', 'close').end('bye'));
    const s = sender();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await s.send(await s.prepare(post(target.url, i))));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(target.accepted()).toBe(3);
  });

  it('drops an idle connection the server closed, and sends on a new one', async () => {
    const target = await httpServer((_req, res) => res.end('ok'));
    cleanups.push(target.close);
    const s = sender();
    expect((await s.send(await s.prepare(post(target.url, 1)))).statusCode).toBe(200);
    target.server.closeIdleConnections();
    await eventually(() => s.stats().idle === 0);
    expect((await s.send(await s.prepare(post(target.url, 2)))).statusCode).toBe(200);
    expect(target.accepted()).toBe(2);
  });

  it('never reuses a connection that sent bytes while idle', async () => {
    let connections = 0;
    const target = await rawServer((socket) => {
      connections++;
      onRequestHead(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nspoof'), 20);
      });
    });
    cleanups.push(target.close);
    const s = sender();
    expect((await s.send(await s.prepare(post(target.url, 1)))).snippet).toBe('ok');
    await eventually(() => s.stats().idle === 0);
    const second = await s.send(await s.prepare(post(target.url, 2)));
    expect(second.snippet).toBe('ok');
    expect(connections).toBe(2);
  });

  it('leaves no socket open after close, on either side', async () => {
    const target = await server((_req, res) => res.end('ok'));
    const slow = await server((_req, res) => setTimeout(() => res.end('late'), 200));
    const s = sender();
    await s.prepare(post(target.url), { expected: 5 });
    const inFlight = s.send(await s.prepare(post(slow.url)));
    await eventually(() => slow.open() === 1);
    const closing = s.close();
    expect((await inFlight).statusCode).toBe(200);
    await closing;
    expect(s.stats()).toMatchObject({ idle: 0, busy: 0, connecting: 0 });
    await eventually(() => target.open() === 0 && slow.open() === 0);
    expect(await s.send(await s.prepare(post(target.url)))).toMatchObject({ errorKind: 'aborted' });
  });
});
