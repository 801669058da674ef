/**
 * The operator console as the API serves it at /ui: the built bundle (apps/console/dist, from
 * `pnpm build`), its caching headers and its Content-Security-Policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@event-scheduler/logging';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { CONSOLE_CSP, defaultConsoleRoot, registerConsole } from '../src/plugins/console.js';
import { HOOK_TIMEOUT_MS, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('api-console');
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const assetOf = (html: string) => /src="\/ui\/(assets\/[^"]+\.js)"/.exec(html)?.[1];

describe('the console at /ui', () => {
  it('is the built bundle of the console package', () => {
    const root = defaultConsoleRoot();
    expect(root).toMatch(/apps[/\\]console[/\\]dist$/);
  });

  it('redirects /ui to /ui/ and serves index.html there without a key, revalidated on every load', async () => {
    const bare = await api.call('GET', '/ui');
    expect(bare.status).toBe(302);
    expect(bare.headers.location).toBe('/ui/');
    const page = await api.call('GET', '/ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(page.text).toContain('<div id="app">');
    expect(assetOf(page.text)).toBeDefined();
  });

  it('sends a Content-Security-Policy that allows nothing but its own origin, and no inline script', async () => {
    const page = await api.call('GET', '/ui/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-|\*|https?:|data:/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // Every script is a file of this origin: the policy would block an inline one.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const page = await api.call('GET', '/ui/');
    const again = await api.call('GET', '/ui/', { headers: { 'if-none-match': String(page.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('lets browsers keep content-hashed assets for good', async () => {
    const page = await api.call('GET', '/ui/');
    const asset = await api.call('GET', `/ui/${assetOf(page.text)}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const head = await api.app.inject({ method: 'HEAD', url: `/ui/${assetOf(page.text)}` });
    expect(head.statusCode).toBe(200);
  });

  it('answers 404 in the API’s error shape for a file that was not built, and never leaves the bundle', async () => {
    for (const url of [
      '/ui/assets/nope.js',
      '/ui/../package.json',
      '/ui/%2e%2e/%2e%2e/package.json',
      '/ui/src/main.tsx',
    ]) {
      const reply = await api.call('GET', url);
      expect([url, reply.status]).toEqual([url, 404]);
      expect(reply.body.error.code).toBe('not_found');
    }
  });

  it('is left out of the OpenAPI document', async () => {
    const spec = await api.call('GET', '/docs/openapi.json');
    expect(Object.keys(spec.body.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
  });
});

describe('an API whose console was not built', () => {
  const empty = mkdtempSync(join(tmpdir(), 'console-missing-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('starts without /ui and says so in its log', async () => {
    const lines: string[] = [];
    const log = createLogger({
      service: 'api-test',
      level: 'info',
      destination: new Writable({ write: (chunk, _e, done) => done(void lines.push(String(chunk))) }),
    });
    const app = Fastify();
    await registerConsole(app, { log, root: empty });
    const reply = await app.inject({ method: 'GET', url: '/ui/' });
    expect(reply.statusCode).toBe(404);
    expect(lines.join('')).toContain('console not built');
    await app.close();
  });
});
