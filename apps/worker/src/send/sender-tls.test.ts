import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseAllowList } from '@event-scheduler/callback';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../test/send-tls.js';
import { createSender, type Sender } from './sender.js';

/**
 * https targets: the connection goes to the address the resolver judged, while the TLS server name
 * and the certificate check use the URL's host name, as the Host header does.
 */

let server: https.Server;
let port: number;
const seen: { servername: string | false | null; host: string | undefined }[] = [];
let sender: Sender;

beforeAll(async () => {
  server = https.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (req, res) => {
    seen.push({ servername: (req.socket as TLSSocket).servername, host: req.headers.host });
    res.end('secure ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  sender = createSender({
    allowList: parseAllowList('127.0.0.1'),
    capBytes: 4096,
    snippetBytes: 64,
    followRedirects: false,
    lookup: async () => [{ address: '127.0.0.1' }],
    connections: { tls: { ca: TEST_TLS_CERT } },
  });
});

afterAll(async () => {
  await sender.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (url: string) => ({ url, method: 'GET', headers: {}, body: null, timeoutMs: 2000 });

describe('send over TLS', () => {
  it('connects to the judged address with the host name as TLS server name and Host header', async () => {
    const result = await sender.send(await sender.prepare(get(`https://hooks.test:${port}/in`)));
    expect(result).toMatchObject({ statusCode: 200, errorKind: null, snippet: 'secure ok' });
    expect(seen.at(-1)).toEqual({ servername: 'hooks.test', host: `hooks.test:${port}` });
  });

  it('refuses a certificate that does not name the host, as a network error', async () => {
    const result = await sender.send(await sender.prepare(get(`https://elsewhere.test:${port}/in`)));
    expect(result).toMatchObject({ statusCode: null, errorKind: 'network', writtenAt: null });
    expect(result.errorMessage).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('checks an IP literal target against the certificate IP names', async () => {
    const result = await sender.send(await sender.prepare(get(`https://127.0.0.1:${port}/in`)));
    expect(result).toMatchObject({ statusCode: 200, snippet: 'secure ok' });
  });
});
