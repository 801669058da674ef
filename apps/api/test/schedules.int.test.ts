import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HOOK_TIMEOUT_MS, scheduleBody, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let key: string;
let otherKey: string;

beforeAll(async () => {
  api = await startTestApi('api-schedules');
  key = await api.newKey('tenant-a');
  otherKey = await api.newKey('tenant-b');
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const create = async (extra: Record<string, unknown> = {}, as = key) => {
  const reply = await api.call('POST', '/api/schedules', { key: as, body: scheduleBody(extra) });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; version: number; [k: string]: unknown };
};

describe('POST /api/schedules', () => {
  it('creates the seed schedule sent as application/x-www-form-urlencoded, as curl -d does', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const reply = await api.call('POST', '/api/schedules', {
      key,
      payload: JSON.stringify(scheduleBody()),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.status).toBe(201);
    const s = reply.body;
    expect(s).toMatchObject({
      name: 'Daily Backup',
      timezone: 'UTC',
      callback_url: 'https://example.com/callback',
      method: 'POST',
      headers: {},
      body: null,
      status: 'active',
      version: 1,
      retry_policy: { max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 3_600_000 },
      misfire_policy: 'fire_once',
      overlap_policy: 'allow',
      metadata: {},
      paused_reason: null,
    });
    expect(s.id).toMatch(/^[0-9a-f]{24}$/);
    // The rule comes back as sent. No DTSTART given: the creation time in whole seconds becomes
    // DTSTART of the canonical rule, stored and returned beside it.
    expect(s.rrule).toBe('FREQ=DAILY;INTERVAL=1');
    const match = /^DTSTART:(\d{8}T\d{6})Z\nRRULE:FREQ=DAILY$/.exec(s.canonical_rrule);
    expect(match).not.toBeNull();
    const dtstart = Date.parse(
      (match?.[1] ?? '').replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/, '$1-$2-$3T$4:$5:$6Z'),
    );
    expect(dtstart).toBeGreaterThanOrEqual(before);
    expect(Date.parse(s.next_run_at)).toBe(dtstart + 86_400_000);
  });

  it('accepts a JSON body without any Content-Type', async () => {
    const reply = await api.call('POST', '/api/schedules', { key, payload: JSON.stringify(scheduleBody()) });
    expect(reply.status).toBe(201);
  });

  it('stores every optional field and returns it', async () => {
    const s = await create({
      name: 'Everything',
      rrule: 'DTSTART;TZID=Europe/Berlin:20250101T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE',
      method: 'PUT',
      headers: { 'X-Token': 'abc', 'x.dotted': 'kept' },
      body: { hello: 'world', $dollar: 1 },
      timeout_ms: 5000,
      retry_policy: { max_attempts: 3 },
      misfire_policy: 'skip',
      misfire_grace_seconds: 30,
      overlap_policy: 'skip',
      max_consecutive_failures: 4,
      metadata: { team: 'ops', 'env-1': 'prod' },
    });
    expect(s).toMatchObject({
      timezone: 'Europe/Berlin',
      rrule: 'DTSTART;TZID=Europe/Berlin:20250101T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE',
      method: 'PUT',
      headers: { 'X-Token': 'abc', 'x.dotted': 'kept' },
      body: '{"hello":"world","$dollar":1}',
      timeout_ms: 5000,
      retry_policy: { max_attempts: 3, min_backoff_ms: 1000, max_backoff_ms: 3_600_000 },
      misfire_policy: 'skip',
      misfire_grace_seconds: 30,
      overlap_policy: 'skip',
      max_consecutive_failures: 4,
      metadata: { team: 'ops', 'env-1': 'prod' },
    });
    const fetched = await api.call('GET', `/api/schedules/${s.id}`, { key });
    // Planning never writes the schedule: it reads back exactly as created.
    expect(fetched.body).toEqual(s);
  });

  it('plans near occurrences at once, so they are pending before the first tick', async () => {
    const s = await create({ rrule: 'FREQ=MINUTELY;INTERVAL=2' });
    const pending = await api.call('GET', `/api/schedules/${s.id}/events/pending`, { key });
    expect(pending.status).toBe(200);
    expect(pending.body.total).toBeGreaterThanOrEqual(4);
    expect(pending.body.events[0]).toMatchObject({ schedule_id: s.id, status: 'scheduled', kind: 'rule' });
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['an unknown nested field', { retry_policy: { max_attempts: 2, jitter: true } }, 'retry_policy.jitter'],
    ['a name of the wrong type', { name: 5 }, 'name'],
    ['a timeout given as a string', { timeout_ms: '1000' }, 'timeout_ms'],
    ['a timeout out of range', { timeout_ms: 10 }, 'timeout_ms'],
    ['a name too long', { name: 'x'.repeat(201) }, 'name'],
    ['an unknown method', { method: 'TRACE' }, 'method'],
    ['an invalid RRULE', { rrule: 'FREQ=SOMETIMES' }, 'rrule'],
    ['an RRULE with a bad part', { rrule: 'FREQ=DAILY;BYHOUR=24' }, 'rrule'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['an ftp callback', { callback_url: 'ftp://example.com/x' }, 'callback_url'],
    ['a javascript: callback', { callback_url: 'javascript:alert(1)' }, 'callback_url'],
    ['a relative callback', { callback_url: '/callback' }, 'callback_url'],
    ['a callback with credentials', { callback_url: 'https://user:pw@example.com/' }, 'callback_url'],
    ['a rule with no future occurrence', { rrule: 'DTSTART:20200101T000000Z\nRRULE:FREQ=DAILY;COUNT=2' }, 'rrule'],
    ['a metadata key with a dot', { metadata: { 'a.b': 'x' } }, 'metadata.a.b'],
    ['a metadata key with a dollar', { metadata: { $where: 'x' } }, 'metadata.$where'],
    ['a metadata value too long', { metadata: { k: 'v'.repeat(257) } }, 'metadata.k'],
    [
      'too many metadata labels',
      { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
    ],
    ['a forbidden header', { headers: { Host: 'evil.example' } }, 'headers.Host'],
    ['a webhook-* header', { headers: { 'Webhook-Signature': 'forged' } }, 'headers.Webhook-Signature'],
    ['a header value with CRLF', { headers: { 'X-A': 'a\r\nX-B: b' } }, 'headers.X-A'],
    [
      'too many headers',
      { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) },
      'headers',
    ],
    ['a header name that is not a token', { headers: { 'Bad Name': 'v' } }, 'headers.Bad Name'],
    [
      'min backoff above max backoff',
      { retry_policy: { min_backoff_ms: 10, max_backoff_ms: 5 } },
      'retry_policy.min_backoff_ms',
    ],
  ];
  it.each(invalid)('rejects %s with 400 validation_failed naming the field', async (_what, extra, field) => {
    const reply = await api.call('POST', '/api/schedules', { key, body: scheduleBody(extra) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
    expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('names every missing field at once', async () => {
    const reply = await api.call('POST', '/api/schedules', { key, body: {} });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'callback_url',
      'name',
      'rrule',
    ]);
  });

  it('explains rule errors with their code and the offending part', async () => {
    const reply = await api.call('POST', '/api/schedules', {
      key,
      body: scheduleBody({ rrule: 'FREQ=DAILY;BYHOUR=24' }),
    });
    expect(reply.body.error.details[0]).toMatchObject({ field: 'rrule', code: 'OUT_OF_RANGE', part: 'BYHOUR=24' });
  });

  it.each([
    ['malformed JSON', '{"name": "x",'],
    ['a prototype-poisoning key', '{"name":"x","__proto__":{"admin":true}}'],
  ])('answers %s with 400 invalid_request', async (_what, payload) => {
    const reply = await api.call('POST', '/api/schedules', {
      key,
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid_request');
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['nothing', ''],
  ])('answers a body that is %s with 400 validation_failed', async (_what, payload) => {
    const reply = await api.call('POST', '/api/schedules', { key, payload });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const reply = await api.call('POST', '/api/schedules', {
      key,
      payload: JSON.stringify(scheduleBody({ body: 'x'.repeat(1024 * 1024 + 10) })),
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('payload_too_large');
  });

  it('refuses a callback body over 64 KiB', async () => {
    const reply = await api.call('POST', '/api/schedules', { key, body: scheduleBody({ body: 'x'.repeat(70_000) }) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details[0].field).toBe('body');
  });
});

describe('GET /api/schedules', () => {
  let listKey: string;
  beforeAll(async () => {
    listKey = await api.newKey('tenant-list');
    for (let i = 0; i < 5; i++) await create({ name: `Report ${i}` }, listKey);
    const paused = await create({ name: 'Nightly cleanup' }, listKey);
    expect((await api.call('POST', `/api/schedules/${paused.id}/pause`, { key: listKey })).status).toBe(200);
  }, HOOK_TIMEOUT_MS);

  it('lists the caller’s schedules only, newest first, with paging', async () => {
    const all = await api.call('GET', '/api/schedules', { key: listKey });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ page: 1, limit: 20, total: 6 });
    expect(all.body.schedules.map((s: { name: string }) => s.name)[0]).toBe('Nightly cleanup');
    const page2 = await api.call('GET', '/api/schedules?page=2&limit=4', { key: listKey });
    expect(page2.body).toMatchObject({ page: 2, limit: 4, total: 6 });
    expect(page2.body.schedules).toHaveLength(2);
  });

  it('filters by status and by a case-insensitive part of the name', async () => {
    const paused = await api.call('GET', '/api/schedules?status=paused', { key: listKey });
    expect(paused.body.schedules.map((s: { name: string }) => s.name)).toEqual(['Nightly cleanup']);
    const byName = await api.call('GET', '/api/schedules?name=rEPORT', { key: listKey });
    expect(byName.body.total).toBe(5);
    const regexChars = await api.call('GET', '/api/schedules?name=.*', { key: listKey });
    expect(regexChars.body.total).toBe(0);
  });

  it.each([
    ['limit=abc', 'limit'],
    ['limit=1000', 'limit'],
    ['page=0', 'page'],
    ['status=sleeping', 'status'],
  ])('rejects ?%s', async (query, field) => {
    const reply = await api.call('GET', `/api/schedules?${query}`, { key: listKey });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('GET /api/schedules/{id}', () => {
  it('answers 404 for a missing, a malformed and another tenant’s id alike', async () => {
    const s = await create();
    for (const [id, as] of [
      ['0123456789abcdef01234567', key],
      ['not-an-id', key],
      [s.id, otherKey],
    ] as const) {
      const reply = await api.call('GET', `/api/schedules/${id}`, { key: as });
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe('not_found');
    }
  });
});

describe('PUT and PATCH /api/schedules/{id}', () => {
  it('changes only the fields sent; a name change does not replan (same version)', async () => {
    const s = await create({ metadata: { a: '1' } });
    const reply = await api.call('PUT', `/api/schedules/${s.id}`, { key, body: { name: 'Renamed' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: 'Renamed', version: 1, rrule: s.rrule, metadata: { a: '1' } });
    const patched = await api.call('PATCH', `/api/schedules/${s.id}`, { key, body: { metadata: { b: '2' } } });
    expect(patched.body).toMatchObject({ name: 'Renamed', version: 1, metadata: { b: '2' } });
  });

  it('a rule change bumps the version, cancels what was planned and plans the new rule', async () => {
    const s = await create({ rrule: 'FREQ=MINUTELY;INTERVAL=2' });
    const before = await api.call('GET', `/api/schedules/${s.id}/events/pending`, { key });
    expect(before.body.total).toBeGreaterThan(0);
    const reply = await api.call('PATCH', `/api/schedules/${s.id}`, {
      key,
      body: { rrule: 'FREQ=MINUTELY;INTERVAL=3' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.version).toBe(2);
    expect(reply.body.canonical_rrule).toMatch(/RRULE:FREQ=MINUTELY;INTERVAL=3$/);
    const pending = await api.call('GET', `/api/schedules/${s.id}/events/pending?limit=100`, { key });
    expect(pending.body.events.every((e: { status: string }) => e.status === 'scheduled')).toBe(true);
    const versions = new Set(
      (await api.models.events.find({ schedule_id: s.id }).lean()).map((e) => e.schedule_version),
    );
    expect([...versions]).toEqual([2]);
    const history = await api.call('GET', `/api/schedules/${s.id}/events/history?limit=100`, { key });
    expect(history.body.total).toBe(before.body.total);
    expect(history.body.events[0]).toMatchObject({ status: 'cancelled', schedule_version: 1 });
    expect(history.body.events[0].history.at(-1)).toMatchObject({ status: 'cancelled', message: 'schedule updated' });
  });

  it('a callback change bumps the version too', async () => {
    const s = await create();
    const reply = await api.call('PUT', `/api/schedules/${s.id}`, {
      key,
      body: { callback_url: 'http://example.org/hook', headers: { 'X-A': 'b' } },
    });
    expect(reply.body).toMatchObject({ version: 2, callback_url: 'http://example.org/hook', headers: { 'X-A': 'b' } });
  });

  it('takes a new zone together with a rule, and refuses a zone alone', async () => {
    const s = await create();
    const alone = await api.call('PATCH', `/api/schedules/${s.id}`, { key, body: { timezone: 'Asia/Tokyo' } });
    expect(alone.status).toBe(400);
    expect(alone.body.error.details[0].field).toBe('timezone');
    const both = await api.call('PATCH', `/api/schedules/${s.id}`, {
      key,
      body: { timezone: 'Asia/Tokyo', rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0' },
    });
    expect(both.status).toBe(200);
    expect(both.body.timezone).toBe('Asia/Tokyo');
    expect(both.body.canonical_rrule).toMatch(/^DTSTART;TZID=Asia\/Tokyo:/);
    expect(new Date(both.body.next_run_at).getUTCHours()).toBe(0);
  });

  it('rejects bad updates and hides other tenants’ schedules', async () => {
    const s = await create();
    const unknown = await api.call('PUT', `/api/schedules/${s.id}`, { key, body: { status: 'paused' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'status', message: 'unknown field' });
    const rule = await api.call('PUT', `/api/schedules/${s.id}`, { key, body: { rrule: 'FREQ=NEVER' } });
    expect(rule.body.error.code).toBe('validation_failed');
    const url = await api.call('PATCH', `/api/schedules/${s.id}`, {
      key,
      body: { callback_url: 'file:///etc/passwd' },
    });
    expect(url.status).toBe(400);
    const foreign = await api.call('PUT', `/api/schedules/${s.id}`, { key: otherKey, body: { name: 'mine' } });
    expect(foreign.status).toBe(404);
    expect((await api.call('GET', `/api/schedules/${s.id}`, { key })).body.name).toBe('Daily Backup');
  });
});

describe('DELETE /api/schedules/{id}', () => {
  it('answers 204, cancels planned occurrences, and the schedule is gone from every call', async () => {
    const s = await create({ rrule: 'FREQ=MINUTELY;INTERVAL=5' });
    expect((await api.call('DELETE', `/api/schedules/${s.id}`, { key: otherKey })).status).toBe(404);
    const reply = await api.call('DELETE', `/api/schedules/${s.id}`, { key });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(await api.models.events.countDocuments({ schedule_id: s.id })).toBe(0);
    expect(await api.models.archivedEvents.countDocuments({ schedule_id: s.id, status: 'cancelled' })).toBeGreaterThan(
      0,
    );
    for (const [method, url] of [
      ['GET', `/api/schedules/${s.id}`],
      ['PUT', `/api/schedules/${s.id}`],
      ['DELETE', `/api/schedules/${s.id}`],
      ['POST', `/api/schedules/${s.id}/pause`],
      ['POST', `/api/schedules/${s.id}/trigger`],
      ['GET', `/api/schedules/${s.id}/occurrences`],
      ['GET', `/api/schedules/${s.id}/events/history`],
    ] as const) {
      const gone = await api.call(method, url, { key, ...(method === 'PUT' ? { body: { name: 'x' } } : {}) });
      expect([method, url, gone.status]).toEqual([method, url, 404]);
    }
    const list = await api.call('GET', '/api/schedules?limit=100', { key });
    expect(list.body.schedules.map((x: { id: string }) => x.id)).not.toContain(s.id);
  });
});

describe('pause and resume', () => {
  it('pause cancels what was planned; pausing again changes nothing; resume plans again, under a new version each time', async () => {
    const s = await create({ rrule: 'FREQ=MINUTELY;INTERVAL=2' });
    const paused = await api.call('POST', `/api/schedules/${s.id}/pause`, { key, body: { reason: 'maintenance' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      status: 'paused',
      paused_reason: 'maintenance',
      version: 2,
      next_run_at: null,
    });
    expect(paused.body.paused_at).toEqual(expect.any(String));
    expect(await api.models.events.countDocuments({ schedule_id: s.id })).toBe(0);
    const again = await api.call('POST', `/api/schedules/${s.id}/pause`, { key });
    expect(again.body).toMatchObject({ status: 'paused', version: 2, paused_reason: 'maintenance' });
    const trigger = await api.call('POST', `/api/schedules/${s.id}/trigger`, { key });
    expect(trigger.status).toBe(409);
    expect(trigger.body.error.code).toBe('conflict');
    const resumed = await api.call('POST', `/api/schedules/${s.id}/resume`, { key });
    expect(resumed.body).toMatchObject({ status: 'active', paused_reason: null, paused_at: null, version: 3 });
    expect(Date.parse(resumed.body.next_run_at)).toBeGreaterThan(Date.now() - 1000);
    expect(await api.models.events.countDocuments({ schedule_id: s.id, schedule_version: 3 })).toBeGreaterThan(0);
    // Resuming an active schedule does not trust its status (issue 15, defect 2): it is stored
    // again as a new version and planned under it, with nothing cancelled under 3 fired again.
    const resumedAgain = await api.call('POST', `/api/schedules/${s.id}/resume`, { key });
    expect(resumedAgain.body).toMatchObject({ status: 'active', version: 4 });
    expect(await api.models.events.countDocuments({ schedule_id: s.id, schedule_version: 4 })).toBeGreaterThan(0);
  });

  it('accepts no body, an empty body or {}; refuses unknown fields; hides other tenants', async () => {
    const s = await create();
    const noBody = await api.call('POST', `/api/schedules/${s.id}/pause`, { key });
    expect(noBody.status).toBe(200);
    const empty = await api.call('POST', `/api/schedules/${s.id}/resume`, {
      key,
      payload: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(200);
    const bad = await api.call('POST', `/api/schedules/${s.id}/pause`, { key, body: { reason: 'x', force: true } });
    expect(bad.status).toBe(400);
    const badResume = await api.call('POST', `/api/schedules/${s.id}/resume`, { key, body: { now: true } });
    expect(badResume.status).toBe(400);
    for (const action of ['pause', 'resume', 'trigger']) {
      expect((await api.call('POST', `/api/schedules/${s.id}/${action}`, { key: otherKey })).status).toBe(404);
    }
  });
});

describe('POST /api/schedules/{id}/trigger', () => {
  it('adds one manual occurrence now, recorded like any other', async () => {
    const s = await create();
    const reply = await api.call('POST', `/api/schedules/${s.id}/trigger`, { key });
    expect(reply.status).toBe(202);
    expect(reply.body.count).toBe(1);
    const event = await api.call('GET', `/api/events/${reply.body.event_ids[0]}`, { key });
    expect(event.body).toMatchObject({ schedule_id: s.id, kind: 'manual', status: 'scheduled', attempts: [] });
    expect(Math.abs(Date.parse(event.body.occurrence_at) - Date.now())).toBeLessThan(60_000);
    const planned = await api.engine.timeline.planned(0, Date.now() + 60_000);
    expect(planned.filter((send) => send.eventId === reply.body.event_ids[0])).toEqual([
      expect.objectContaining({ scheduleId: s.id, kind: 'manual', attempt: 1 }),
    ]);
  });
});

describe('POST /api/schedules/{id}/backfill', () => {
  const rule = 'DTSTART:20250101T000000Z\nRRULE:FREQ=HOURLY';

  it('fires the occurrences of a past window, once', async () => {
    const s = await create({ rrule: rule });
    const body = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T05:00:00Z' };
    const reply = await api.call('POST', `/api/schedules/${s.id}/backfill`, { key, body });
    expect(reply.status).toBe(202);
    expect(reply.body.count).toBe(6);
    const events = await api.models.events
      .find({ schedule_id: s.id, kind: 'backfill' })
      .sort({ occurrence_at: 1 })
      .lean();
    expect(events.map((e) => e.occurrence_at.toISOString())).toEqual(
      [0, 1, 2, 3, 4, 5].map((h) => `2025-01-01T0${h}:00:00.000Z`),
    );
    const again = await api.call('POST', `/api/schedules/${s.id}/backfill`, { key, body });
    expect(again.body.count).toBe(0);
  });

  it('leaves out occurrences delivered already, and fires cancelled ones', async () => {
    const s = await create({ rrule: rule });
    const record = (hour: number, status: 'succeeded' | 'cancelled') =>
      api.models.archivedEvents.create({
        tenant_id: 'tenant-a',
        schedule_id: s.id,
        schedule_version: 1,
        occurrence_at: new Date(`2025-01-01T0${hour}:00:00Z`),
        status,
        history: [],
        attempts: [],
        finished_at: new Date(),
        archived_at: new Date(),
      });
    await record(1, 'succeeded');
    await record(2, 'cancelled');
    const body = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T02:00:00Z' };
    const reply = await api.call('POST', `/api/schedules/${s.id}/backfill`, { key, body });
    expect(reply.body.count).toBe(2);
    const events = await api.models.events
      .find({ schedule_id: s.id, kind: 'backfill' })
      .sort({ occurrence_at: 1 })
      .lean();
    expect(events.map((e) => e.occurrence_at.getUTCHours())).toEqual([0, 2]);
  });

  it.each([
    ['a window with more than the maximum', { from: '2025-01-01T00:00:00Z', to: '2025-01-04T00:00:00Z' }, 'to'],
    ['a window reaching into the future', { from: '2025-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' }, 'to'],
    ['an inverted window', { from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }, 'to'],
    ['a malformed date', { from: 'yesterday', to: '2025-01-01T00:00:00Z' }, 'from'],
    ['a missing bound', { from: '2025-01-01T00:00:00Z' }, 'to'],
  ])('rejects %s', async (_what, body, field) => {
    const s = await create({ rrule: rule });
    const reply = await api.call('POST', `/api/schedules/${s.id}/backfill`, { key, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('hides other tenants’ schedules', async () => {
    const s = await create({ rrule: rule });
    const body = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00Z' };
    expect((await api.call('POST', `/api/schedules/${s.id}/backfill`, { key: otherKey, body })).status).toBe(404);
  });
});

describe('GET /api/schedules/{id}/occurrences', () => {
  it('lists the next occurrences as ISO-8601 UTC instants', async () => {
    const s = await create({ rrule: 'DTSTART:20250101T120000Z\nRRULE:FREQ=DAILY' });
    const reply = await api.call('GET', `/api/schedules/${s.id}/occurrences?limit=3`, { key });
    expect(reply.status).toBe(200);
    const list: string[] = reply.body.occurrences;
    expect(list).toHaveLength(3);
    for (const at of list) expect(at).toMatch(/^\d{4}-\d\d-\d\dT12:00:00\.000Z$/);
    expect(Date.parse(list[0] ?? '')).toBeGreaterThan(Date.now());
    expect(Date.parse(list[0] ?? '')).toBe(Date.parse(s.next_run_at as string));
    const window = await api.call(
      'GET',
      `/api/schedules/${s.id}/occurrences?from=2025-03-01T00:00:00Z&to=2025-03-03T23:00:00Z`,
      { key },
    );
    expect(window.body.occurrences).toEqual([
      '2025-03-01T12:00:00.000Z',
      '2025-03-02T12:00:00.000Z',
      '2025-03-03T12:00:00.000Z',
    ]);
  });

  it('adds local time and DST notes with detail=true', async () => {
    const s = await create({ rrule: 'DTSTART;TZID=Europe/Berlin:20250328T023000\nRRULE:FREQ=DAILY' });
    const reply = await api.call(
      'GET',
      `/api/schedules/${s.id}/occurrences?from=2025-03-29T00:00:00Z&limit=2&detail=true`,
      { key },
    );
    expect(reply.body.occurrences).toEqual([
      { at: '2025-03-29T01:30:00.000Z', local: '2025-03-29T02:30:00', offset: '+01:00', dst: null },
      { at: '2025-03-30T01:30:00.000Z', local: '2025-03-30T03:30:00', offset: '+02:00', dst: 'gap_shifted' },
    ]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['from=soon', 'from'],
    ['from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', 'to'],
    ['detail=maybe', 'detail'],
  ])('rejects ?%s', async (query, field) => {
    const s = await create();
    const reply = await api.call('GET', `/api/schedules/${s.id}/occurrences?${query}`, { key });
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('POST /api/rrule/preview', () => {
  it('previews a rule with its canonical text and DST notes', async () => {
    const reply = await api.call('POST', '/api/rrule/preview', {
      key,
      body: {
        rrule: 'RRULE:FREQ=DAILY;COUNT=3',
        timezone: 'Europe/Berlin',
        from: '2025-10-25T00:00:00Z',
        detail: true,
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.timezone).toBe('Europe/Berlin');
    expect(reply.body.canonical_rrule).toMatch(/^DTSTART;TZID=Europe\/Berlin:\d{8}T\d{6}\nRRULE:FREQ=DAILY;COUNT=3$/);
    expect(reply.body.warnings).toEqual([]);

    const fold = await api.call('POST', '/api/rrule/preview', {
      key,
      body: { rrule: 'DTSTART;TZID=Europe/Berlin:20251024T023000\nRRULE:FREQ=DAILY;COUNT=4', detail: true },
    });
    expect(fold.body.occurrences).toEqual([]);
    const past = await api.call('POST', '/api/rrule/preview', {
      key,
      body: {
        rrule: 'DTSTART;TZID=Europe/Berlin:20251024T023000\nRRULE:FREQ=DAILY;COUNT=4',
        from: '2025-10-01T00:00:00Z',
        detail: true,
      },
    });
    expect(past.body.occurrences.map((o: { dst: string | null }) => o.dst)).toEqual([null, null, 'fold', null]);
    const plain = await api.call('POST', '/api/rrule/preview', {
      key,
      body: { rrule: 'FREQ=WEEKLY', from: '2025-01-01T00:00:00Z', limit: 2 },
    });
    expect(plain.body.occurrences).toHaveLength(2);
    expect(typeof plain.body.occurrences[0]).toBe('string');
  });

  it('explains what is wrong with a rule', async () => {
    const reply = await api.call('POST', '/api/rrule/preview', {
      key,
      body: { rrule: 'FREQ=DAILY;COUNT=2;UNTIL=20300101' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'validation_failed' });
    expect(reply.body.error.details[0]).toMatchObject({ field: 'rrule', code: 'COUNT_WITH_UNTIL' });
    const zone = await api.call('POST', '/api/rrule/preview', {
      key,
      body: { rrule: 'FREQ=DAILY', timezone: 'Nowhere/City' },
    });
    expect(zone.body.error.details[0]).toMatchObject({ field: 'timezone', code: 'UNKNOWN_TZID' });
    const extra = await api.call('POST', '/api/rrule/preview', { key, body: { rrule: 'FREQ=DAILY', dtstart: 'x' } });
    expect(extra.body.error.details[0]).toMatchObject({ field: 'dtstart', message: 'unknown field' });
  });
});

describe('when Redis is down', () => {
  let broken: TestApi;
  beforeAll(async () => {
    broken = await startTestApi('api-noredis', { redisDown: true });
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => broken?.close(), HOOK_TIMEOUT_MS);

  it('still creates (the tick plans later), logging why; acknowledges no change it cannot announce (503)', async () => {
    const brokenKey = await broken.newKey();
    const body = scheduleBody({ rrule: 'FREQ=MINUTELY' });
    const created = await broken.call('POST', '/api/schedules', { key: brokenKey, body });
    expect(created.status).toBe(201);
    expect(created.body.next_run_at).toEqual(expect.any(String));
    expect(await broken.models.schedules.countDocuments({ _id: created.body.id })).toBe(1);
    expect(broken.logs.some((l) => l.includes('planning at once failed'))).toBe(true);
    // A pause or a trigger that workers would not learn of is refused, retryable, not half-done.
    for (const action of ['trigger', 'pause']) {
      const reply = await broken.call('POST', `/api/schedules/${created.body.id}/${action}`, { key: brokenKey });
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe('unavailable');
    }
  });
});
