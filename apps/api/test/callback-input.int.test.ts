/**
 * What a schedule's callback may be: targets the worker would refuse (literal blocked addresses),
 * headers the HTTP client could never send, bodies that are too long or too deep. Each is a 400
 * at create and update with one detail naming the field, never a 201 followed by failed callbacks
 * or a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HOOK_TIMEOUT_MS, type Reply, scheduleBody, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let key: string;

beforeAll(async () => {
  api = await startTestApi('api-callback-input');
  key = await api.newKey();
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const create = (extra: Record<string, unknown>, on: TestApi = api, as = key) =>
  on.call('POST', '/api/schedules', { key: as, body: scheduleBody(extra) });

function expectOneDetail(reply: Reply, code: string, field: string): { message: string; code?: string } {
  expect([reply.status, reply.body?.error?.code]).toEqual([400, code]);
  expect(reply.body.error.details).toHaveLength(1);
  expect(reply.body.error.details[0].field).toBe(field);
  return reply.body.error.details[0];
}

describe('callback URLs whose host is a blocked address literal', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link_local'],
    ['http://10.0.0.1/hook', 'private'],
    ['http://192.168.1.20:8080/', 'private'],
    ['http://127.0.0.1:3000/hook', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:169.254.169.254]/', 'link_local'],
    ['http://[::ffff:10.0.0.1]/', 'private'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['https://0xa9fea9fe/', 'link_local'],
    ['http://0.0.0.0/', 'unspecified'],
  ])('refuses %s at create (%s)', async (url, reason) => {
    const detail = expectOneDetail(await create({ callback_url: url }), 'callback_url_blocked', 'callback_url');
    expect(detail.code).toBe(reason);
    expect(detail.message).toContain('worker.ssrf_allow_list');
  });

  it('refuses one at update too, and leaves the schedule as it was', async () => {
    const created = await create({});
    expect(created.status).toBe(201);
    const patched = await api.call('PATCH', `/api/schedules/${created.body.id}`, {
      key,
      body: { callback_url: 'http://169.254.169.254/' },
    });
    expect(expectOneDetail(patched, 'callback_url_blocked', 'callback_url').code).toBe('link_local');
    const put = await api.call('PUT', `/api/schedules/${created.body.id}`, {
      key,
      body: { callback_url: 'http://2130706433/' },
    });
    expect(put.body.error.code).toBe('callback_url_blocked');
    const stored = await api.call('GET', `/api/schedules/${created.body.id}`, { key });
    expect(stored.body).toMatchObject({ callback_url: 'https://example.com/callback', version: 1 });
  });

  it.each(['https://example.com/hook', 'http://8.8.8.8/', 'http://intranet.example/hook', 'http://[2606:4700::1]/'])(
    'accepts %s (public, or a name the worker judges on what it resolves to)',
    async (url) => {
      expect((await create({ callback_url: url })).status).toBe(201);
    },
  );

  describe('with worker.ssrf_allow_list set', () => {
    let allowing: TestApi;
    let allowingKey: string;
    beforeAll(async () => {
      allowing = await startTestApi('api-callback-allow', { services: { ssrfAllowList: '127.0.0.0/8, 10.0.0.9' } });
      allowingKey = await allowing.newKey();
    }, HOOK_TIMEOUT_MS);
    afterAll(async () => allowing?.close(), HOOK_TIMEOUT_MS);

    it('accepts what the list allows, in any spelling, and nothing more', async () => {
      for (const url of ['http://127.0.0.1:9/hook', 'http://2130706433/', 'http://10.0.0.9/']) {
        expect([url, (await create({ callback_url: url }, allowing, allowingKey)).status]).toEqual([url, 201]);
      }
      const other = await create({ callback_url: 'http://10.0.0.8/' }, allowing, allowingKey);
      expect(expectOneDetail(other, 'callback_url_blocked', 'callback_url').code).toBe('private');
    });
  });
});

describe('callback headers the HTTP client could never send', () => {
  it.each([
    ['a character above U+00FF', 'caf\u0100'],
    ['an emoji', 'ok \u{1F600}'],
    ['DEL', 'a\u007fb'],
    ['a bell', 'a\u0007b'],
    ['a vertical tab', 'a\u000bb'],
  ])('refuses a value with %s', async (_what, value) => {
    const detail = expectOneDetail(
      await create({ headers: { 'X-Token': value } }),
      'validation_failed',
      'headers.X-Token',
    );
    expect(detail.message).toMatch(/character an HTTP header cannot carry/);
  });

  it('refuses them at update too', async () => {
    const created = await create({});
    const patched = await api.call('PATCH', `/api/schedules/${created.body.id}`, {
      key,
      body: { headers: { 'X-Token': 'caf\u0100' } },
    });
    expectOneDetail(patched, 'validation_failed', 'headers.X-Token');
  });

  it.each(['Idempotency-Key', 'X-Attempt', 'x-schedule-id', 'X-Event-Id', 'x-scheduled-time'])(
    'refuses %s, which the worker sets itself',
    async (name) => {
      const detail = expectOneDetail(
        await create({ headers: { [name]: 'mine' } }),
        'validation_failed',
        `headers.${name}`,
      );
      expect(detail.message).toMatch(/set by the scheduler/);
    },
  );

  it('accepts what Node sends: tabs and Latin-1 text', async () => {
    const reply = await create({ headers: { 'X-Note': 'caf\u00e9\tok', 'X-Empty': '' } });
    expect(reply.status).toBe(201);
    expect(reply.body.headers).toEqual({ 'X-Note': 'caf\u00e9\tok', 'X-Empty': '' });
  });
});

describe('callback bodies', () => {
  it('answers an over-long string body with one message naming the field and the limit', async () => {
    const reply = await create({ body: 'x'.repeat(70_000) });
    const detail = expectOneDetail(reply, 'validation_failed', 'body');
    expect(detail.message).toMatch(/at most 64 KiB \(65536 bytes\)/);
    expect(reply.body.error.message).toBe(`body: ${detail.message}`);
  });

  it('answers an over-long JSON body the same way', async () => {
    const reply = await create({ body: { data: 'x'.repeat(70_000) } });
    expect(expectOneDetail(reply, 'validation_failed', 'body').message).toMatch(/at most 64 KiB/);
  });

  it('answers a body of the wrong type with one message listing what it may be', async () => {
    const reply = await create({ body: 42 });
    expect(expectOneDetail(reply, 'validation_failed', 'body').message).toMatch(
      /must be a string, an object, an array or null/,
    );
  });

  it('answers a body nested 10,000 deep (20 KB) with 400, not 500', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const payload = `{"name":"deep","rrule":"FREQ=DAILY","callback_url":"https://example.com/","body":${deep}}`;
    const reply = await api.call('POST', '/api/schedules', {
      key,
      payload,
      headers: { 'content-type': 'application/json' },
    });
    const detail = expectOneDetail(reply, 'validation_failed', 'body');
    expect(detail.message).toMatch(/nested more than 32 levels deep/);
    const object = `{"name":"deep","rrule":"FREQ=DAILY","callback_url":"https://example.com/","body":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const patched = await api.call('POST', '/api/schedules', { key, payload: object });
    expect(patched.status).toBe(400);
  });

  it('accepts a body nested up to the limit', async () => {
    let body: unknown = 'leaf';
    for (let depth = 0; depth < 32; depth++) body = { next: body };
    const reply = await create({ body });
    expect(reply.status).toBe(201);
    expect(reply.body.body).toBe(JSON.stringify(body));
  });
});
