import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { ADMIN_KEY, HOOK_TIMEOUT_MS, scheduleBody, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
const admin = { 'x-admin-key': ADMIN_KEY };

let other: TestApi;

beforeAll(async () => {
  api = await startTestApi('api-auth', { keyCache: true });
  // A second API process on the same database and Redis, as behind a load balancer.
  other = await startTestApi('api-auth-2', { keyCache: true, sharing: api });
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await other?.close();
  await api?.close();
}, HOOK_TIMEOUT_MS);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('API keys on /api', () => {
  it.each([
    ['no key', {}],
    ['an unknown key', { 'x-api-key': 'sk_not-a-key' }],
    ['an overlong key', { 'x-api-key': 'k'.repeat(300) }],
    ['a Basic authorization', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('answers %s with 401 unauthorized', async (_what, headers) => {
    const reply = await api.call('GET', '/api/schedules', { headers });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('never takes the key from the query string', async () => {
    const key = await api.newKey();
    expect((await api.call('GET', `/api/schedules?api_key=${key}&x-api-key=${key}`)).status).toBe(401);
  });

  it('accepts the key as X-API-KEY or as a Bearer token', async () => {
    const key = await api.newKey();
    expect((await api.call('GET', '/api/schedules', { key })).status).toBe(200);
    expect((await api.call('GET', '/api/schedules', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('records when a key was last used, off the request path', async () => {
    const key = await api.newKey();
    await api.call('GET', '/api/schedules', { key });
    const doc = await waitFor(
      () => api.models.apiKeys.findOne({ key_hash: sha256(key) }).lean(),
      (d) => Boolean(d?.last_used_at),
    );
    expect(doc?.last_used_at).toBeInstanceOf(Date);
  });
});

describe('admin API keys', () => {
  it('creates a key for a new tenant, shows it once, stores only its SHA-256', async () => {
    const reply = await api.call('POST', '/admin/api-keys', { headers: admin, body: { name: 'ci' } });
    expect(reply.status).toBe(201);
    const created = reply.body;
    expect(created).toMatchObject({ name: 'ci', revoked_at: null, last_used_at: null });
    expect(created.key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(created.tenant_id).toMatch(/^tn_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const stored = await api.models.apiKeys.findOne({ _id: created.id }).lean();
    expect(stored?.key_hash).toBe(sha256(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    expect(await api.models.tenants.countDocuments({ _id: created.tenant_id })).toBe(1);

    const list = await api.call('GET', `/admin/api-keys?tenant_id=${created.tenant_id}`, { headers: admin });
    expect(list.body).toMatchObject({ total: 1, page: 1 });
    expect(list.body.api_keys[0]).toEqual({
      id: created.id,
      tenant_id: created.tenant_id,
      name: 'ci',
      prefix: created.prefix,
      created_at: created.created_at,
      last_used_at: null,
      revoked_at: null,
    });
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(stored?.key_hash);

    // The new tenant starts empty and works at once.
    const mine = await api.call('GET', '/api/schedules', { key: created.key });
    expect(mine.body.total).toBe(0);
  });

  it('gives a second key to an existing tenant: both see the same schedules', async () => {
    const first = await api.call('POST', '/admin/api-keys', {
      headers: admin,
      body: { name: 'one', tenant_id: 'acme' },
    });
    const second = await api.call('POST', '/admin/api-keys', {
      headers: admin,
      body: { name: 'two', tenant_id: 'acme' },
    });
    const created = await api.call('POST', '/api/schedules', { key: first.body.key, body: scheduleBody() });
    const seen = await api.call('GET', `/api/schedules/${created.body.id}`, { key: second.body.key });
    expect(seen.status).toBe(200);
  });

  it('revokes a key: its very next request is 401', async () => {
    const created = await api.call('POST', '/admin/api-keys', { headers: admin, body: { name: 'soon revoked' } });
    const key = created.body.key;
    expect((await api.call('GET', '/api/schedules', { key })).status).toBe(200);
    const revoked = await api.call('DELETE', `/admin/api-keys/${created.body.id}`, { headers: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const next = await api.call('GET', '/api/schedules', { key });
    expect(next.status).toBe(401);
    expect(next.body.error.code).toBe('unauthorized');
    const again = await api.call('DELETE', `/admin/api-keys/${created.body.id}`, { headers: admin });
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it('caches a key in every API process, and a revocation through one reaches the others at once', async () => {
    const created = await api.call('POST', '/admin/api-keys', { headers: admin, body: { name: 'two processes' } });
    const key = created.body.key;
    // Both processes have the key in memory now: a request costs them no read of it, so a
    // revocation written behind the API's back (no announcement) goes unnoticed...
    expect((await api.call('GET', '/api/schedules', { key })).status).toBe(200);
    expect((await other.call('GET', '/api/schedules', { key })).status).toBe(200);
    await other.models.apiKeys.updateOne({ _id: created.body.id }, { $set: { revoked_at: new Date() } });
    expect((await other.call('GET', '/api/schedules', { key })).status).toBe(200);
    // ...while one through the API, on the other process, is announced before it is acknowledged.
    expect((await api.call('DELETE', `/admin/api-keys/${created.body.id}`, { headers: admin })).status).toBe(200);
    // The other process refuses the key on its very next request.
    const next = await other.call('GET', '/api/schedules', { key });
    expect(next.status).toBe(401);
  });

  it.each([
    ['no admin key', {}, 401, 'unauthorized'],
    ['a wrong admin key', { 'x-admin-key': 'nope' }, 401, 'unauthorized'],
    ['an API key instead', { 'x-api-key': ADMIN_KEY }, 401, 'unauthorized'],
  ])('answers %s with %i', async (_what, headers, status, code) => {
    for (const [method, url] of [
      ['GET', '/admin/api-keys'],
      ['POST', '/admin/api-keys'],
      ['DELETE', '/admin/api-keys/0123456789abcdef01234567'],
    ] as const) {
      const reply = await api.call(method, url, { headers, ...(method === 'POST' ? { body: { name: 'x' } } : {}) });
      expect([url, reply.status, reply.body.error.code]).toEqual([url, status, code]);
    }
  });

  it('accepts the admin key as a Bearer token', async () => {
    expect(
      (await api.call('GET', '/admin/api-keys', { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status,
    ).toBe(200);
  });

  it.each([
    ['a missing name', {}, 'name'],
    ['an unknown field', { name: 'x', scopes: ['all'] }, 'scopes'],
    ['a tenant id with odd characters', { name: 'x', tenant_id: 'a/b' }, 'tenant_id'],
  ])('rejects %s', async (_what, body, field) => {
    const reply = await api.call('POST', '/admin/api-keys', { headers: admin, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('answers 404 when revoking a key that does not exist', async () => {
    for (const id of ['0123456789abcdef01234567', 'nope']) {
      const reply = await api.call('DELETE', `/admin/api-keys/${id}`, { headers: admin });
      expect(reply.status).toBe(404);
    }
  });
});

describe('the admin API without an admin key configured', () => {
  let closed: TestApi;
  beforeAll(async () => {
    closed = await startTestApi('api-noadmin', { app: { adminApiKey: '' } });
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => closed?.close(), HOOK_TIMEOUT_MS);

  it('answers 403 forbidden whatever is sent', async () => {
    for (const headers of [{}, { 'x-admin-key': '' }, { 'x-admin-key': 'anything' }] as Record<string, string>[]) {
      const reply = await closed.call('GET', '/admin/api-keys', { headers });
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
  });
});

describe('the development key', () => {
  it('is registered for tenant dev, with a warning, and works as X-API-KEY', async () => {
    await api.services.apiKeys.ensureDevKey('user-api-key-123');
    await api.services.apiKeys.ensureDevKey('user-api-key-123');
    expect(api.logs.some((line) => line.includes('"level":"warn"') && line.includes('development API key'))).toBe(true);
    expect(await api.models.apiKeys.countDocuments({ key_hash: sha256('user-api-key-123') })).toBe(1);
    const reply = await api.call('POST', '/api/schedules', { key: 'user-api-key-123', body: scheduleBody() });
    expect(reply.status).toBe(201);
    const stored = await api.models.schedules.findOne({ _id: reply.body.id }).lean();
    expect(stored?.tenant_id).toBe('dev');
  });
});

describe('rate limiting', () => {
  let limited: TestApi;
  beforeAll(async () => {
    limited = await startTestApi('api-ratelimit', { app: { rateLimitPerMinute: 3 } });
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => limited?.close(), HOOK_TIMEOUT_MS);

  it('answers 429 rate_limited with Retry-After once a key used its minute, per key', async () => {
    const key = await limited.newKey();
    for (let i = 0; i < 3; i++) expect((await limited.call('GET', '/api/schedules', { key })).status).toBe(200);
    const over = await limited.call('GET', '/api/schedules', { key });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const other = await limited.newKey();
    expect((await limited.call('GET', '/api/schedules', { key: other })).status).toBe(200);
  });
});

describe('signing secrets', () => {
  it('creates the tenant’s secret on first use and keeps it', async () => {
    const key = await api.newKey('signing-a');
    const first = await api.call('GET', '/api/signing-secret', { key });
    expect(first.status).toBe(200);
    expect(first.body.secret).toMatch(/^whsec_/);
    expect(Buffer.from(first.body.secret.slice(6), 'base64')).toHaveLength(24);
    expect(first.body.previous_secret).toBeUndefined();
    expect((await api.call('GET', '/api/signing-secret', { key })).body).toEqual(first.body);
    const other = await api.call('GET', '/api/signing-secret', { key: await api.newKey('signing-b') });
    expect(other.body.secret).not.toBe(first.body.secret);
    // The secret is usable with a Standard Webhooks library.
    const wh = new Webhook(first.body.secret);
    const now = new Date();
    const signature = wh.sign('msg_1', now, '{"a":1}');
    expect(
      wh.verify('{"a":1}', {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(+now / 1000)),
        'webhook-signature': signature,
      }),
    ).toEqual({ a: 1 });
  });

  it('rotates: a new secret, and the old one keeps signing for the overlap', async () => {
    const key = await api.newKey('signing-c');
    const before = await api.call('GET', '/api/signing-secret', { key });
    const rotated = await api.call('POST', '/api/signing-secret/rotate', { key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(before.body.secret);
    expect(rotated.body.previous_secret).toBe(before.body.secret);
    const expires = Date.parse(rotated.body.previous_expires_at) - Date.now();
    expect(expires).toBeGreaterThan(23 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await api.call('GET', '/api/signing-secret', { key })).body).toEqual(rotated.body);
    expect((await api.call('POST', '/api/signing-secret/rotate', { key, body: { force: 1 } })).status).toBe(400);
  });
});

describe('operations and docs', () => {
  it('serves health, readiness and metrics without a key', async () => {
    expect((await api.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.call('GET', '/readyz')).body).toEqual({ status: 'ready', checks: { mongo: 'ok' } });
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
  });

  it('serves Swagger UI and the spec as JSON and YAML', async () => {
    const ui = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    expect(ui.body).toContain('swagger');
    const json = await api.call('GET', '/docs/openapi.json');
    expect(json.body.paths['/api/schedules']).toBeDefined();
    const yaml = await api.call('GET', '/docs/openapi.yml');
    expect(yaml.text).toContain('openapi: 3.1.0');
    const legacy = await api.app.inject({ method: 'GET', url: '/swagger-ui' });
    expect(legacy.statusCode).toBe(302);
    expect(legacy.headers.location).toBe('/docs');
  });

  it.each([
    '/api/schedules/%E0%A4%A',
    '/api/schedules?limit=%ZZ&page=%',
    `/api/schedules/${'a'.repeat(300)}`,
    '/api/schedules/../../etc/passwd',
    '/api/schedules?limit=1&limit=2',
    '/api/schedules/%00',
  ])('answers the odd URL %s with a 4xx in the error shape', async (url) => {
    const key = await api.newKey();
    const reply = await api.call('GET', url, { key });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.body.error.code).toEqual(expect.any(String));
  });

  it('answers unknown routes with the error shape', async () => {
    const reply = await api.call('GET', '/api/nothing-here');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('not_found');
  });
});
