import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HOOK_TIMEOUT_MS, scheduleBody, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let key: string;
let otherKey: string;

beforeAll(async () => {
  api = await startTestApi('api-events');
  key = await api.newKey('tenant-a');
  otherKey = await api.newKey('tenant-b');
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

async function newSchedule(as = key): Promise<string> {
  const reply = await api.call('POST', '/api/schedules', { key: as, body: scheduleBody() });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

const attempt = (number: number, at: Date) => ({
  number,
  started_at: at,
  duration_ms: 120,
  status_code: 500,
  error_kind: 'http_status',
  error_message: 'HTTP 500',
  response_snippet: 'boom',
});

/** An event as the worker leaves it: archived with its final status and attempts. */
async function archived(
  scheduleId: string,
  tenantId: string,
  status: 'failed' | 'succeeded',
  occurrenceAt: Date,
  finishedAt: Date,
): Promise<string> {
  const _id = new api.models.events.base.Types.ObjectId();
  await api.models.archivedEvents.create({
    _id,
    tenant_id: tenantId,
    schedule_id: scheduleId,
    schedule_version: 1,
    occurrence_at: occurrenceAt,
    kind: 'rule',
    status,
    history: [
      { time: occurrenceAt, status: 'scheduled', message: 'planned' },
      { time: finishedAt, status, message: status === 'failed' ? 'retries exhausted' : null },
    ],
    attempts: [attempt(1, occurrenceAt), attempt(2, new Date(occurrenceAt.getTime() + 1000))],
    next_attempt_at: null,
    finished_at: finishedAt,
    archived_at: finishedAt,
  });
  return String(_id);
}

async function live(scheduleId: string, tenantId: string, occurrenceAt: Date): Promise<string> {
  const _id = new api.models.events.base.Types.ObjectId();
  await api.models.events.create({
    _id,
    tenant_id: tenantId,
    schedule_id: scheduleId,
    schedule_version: 1,
    occurrence_at: occurrenceAt,
    kind: 'rule',
    status: 'scheduled',
    history: [{ time: new Date(), status: 'scheduled', message: 'planned' }],
    attempts: [],
  });
  return String(_id);
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe('event lists and details', () => {
  let scheduleId: string;
  let failedId: string;
  let liveIds: string[];
  beforeAll(async () => {
    scheduleId = await newSchedule();
    failedId = await archived(scheduleId, 'tenant-a', 'failed', hoursAgo(3), hoursAgo(2));
    await archived(scheduleId, 'tenant-a', 'succeeded', hoursAgo(5), hoursAgo(5));
    await archived(scheduleId, 'tenant-a', 'succeeded', hoursAgo(1), hoursAgo(1));
    liveIds = [
      await live(scheduleId, 'tenant-a', new Date(Date.now() + 7_200_000)),
      await live(scheduleId, 'tenant-a', new Date(Date.now() + 3_600_000)),
    ];
  }, HOOK_TIMEOUT_MS);

  it('lists pending events, the next first', async () => {
    const reply = await api.call('GET', `/api/schedules/${scheduleId}/events/pending`, { key });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ page: 1, limit: 20, total: 2 });
    expect(reply.body.events.map((e: { id: string }) => e.id)).toEqual([liveIds[1], liveIds[0]]);
  });

  it('lists the history, the latest occurrence first, with paging', async () => {
    const reply = await api.call('GET', `/api/schedules/${scheduleId}/events/history?limit=2`, { key });
    expect(reply.body).toMatchObject({ total: 3, limit: 2 });
    expect(reply.body.events.map((e: { status: string }) => e.status)).toEqual(['succeeded', 'failed']);
    const page2 = await api.call('GET', `/api/schedules/${scheduleId}/events/history?limit=2&page=2`, { key });
    expect(page2.body.events).toHaveLength(1);
  });

  it('shows one event with every attempt, live or archived', async () => {
    const reply = await api.call('GET', `/api/events/${failedId}`, { key });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: failedId, schedule_id: scheduleId, status: 'failed', kind: 'rule' });
    expect(reply.body.attempts).toEqual([
      expect.objectContaining({ number: 1, status_code: 500, error_kind: 'http_status', response_snippet: 'boom' }),
      expect.objectContaining({ number: 2, duration_ms: 120 }),
    ]);
    const pending = await api.call('GET', `/api/events/${liveIds[0]}`, { key });
    expect(pending.body).toMatchObject({ status: 'scheduled', attempts: [] });
  });

  it('hides other tenants’ events and schedules (404)', async () => {
    for (const url of [
      `/api/events/${failedId}`,
      `/api/events/${liveIds[0]}`,
      `/api/schedules/${scheduleId}/events/pending`,
      `/api/schedules/${scheduleId}/events/history`,
      '/api/events/not-an-id',
    ]) {
      const reply = await api.call('GET', url, { key: otherKey });
      expect([url, reply.status, reply.body.error.code]).toEqual([url, 404, 'not_found']);
    }
    expect((await api.call('POST', `/api/events/${failedId}/retry`, { key: otherKey })).status).toBe(404);
  });

  it('rejects bad paging', async () => {
    const reply = await api.call('GET', `/api/schedules/${scheduleId}/events/history?limit=101`, { key });
    expect(reply.status).toBe(400);
  });
});

describe('POST /api/events/{id}/retry', () => {
  it('moves a failed event back to delivery as a new round, attempts kept, with its send planned', async () => {
    const scheduleId = await newSchedule();
    const occurrence = hoursAgo(3);
    const id = await archived(scheduleId, 'tenant-a', 'failed', occurrence, hoursAgo(2));
    const reply = await api.call('POST', `/api/events/${id}/retry`, { key });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ id, status: 'scheduled', finished_at: null });
    expect(reply.body.attempts).toHaveLength(2);
    expect(reply.body.history.at(-1)).toMatchObject({ status: 'scheduled', message: 'redelivery requested' });
    expect(await api.models.archivedEvents.countDocuments({ _id: id })).toBe(0);
    expect(await api.models.events.countDocuments({ _id: id, status: 'scheduled' })).toBe(1);

    // The redelivery is the event's next round: a send on the plan, attempts numbered on (3), the
    // retry policy counting afresh from the two attempts already made.
    const planned = async () =>
      (await api.engine.timeline.planned(0, Date.now() + 60_000)).filter((send) => send.eventId === id);
    expect(await planned()).toEqual([
      expect.objectContaining({ eventId: id, scheduleId, version: 1, attempt: 3, round: 1, roundStart: 2 }),
    ]);
    expect(reply.body.history.at(-1)).toMatchObject({ status: 'scheduled', message: 'redelivery requested' });

    // Asking again while it waits plans the same send again: still one, no second delivery.
    const again = await api.call('POST', `/api/events/${id}/retry`, { key });
    expect(again.status).toBe(202);
    expect(await planned()).toHaveLength(1);
  });

  it('answers 409 for events that did not fail', async () => {
    const scheduleId = await newSchedule();
    const succeeded = await archived(scheduleId, 'tenant-a', 'succeeded', hoursAgo(4), hoursAgo(4));
    const pending = await live(scheduleId, 'tenant-a', new Date(Date.now() + 60_000));
    for (const id of [succeeded, pending]) {
      const reply = await api.call('POST', `/api/events/${id}/retry`, { key });
      expect(reply.status).toBe(409);
      expect(reply.body.error.code).toBe('conflict');
    }
  });

  it('answers 409 when the schedule was deleted, 404 for unknown events', async () => {
    const scheduleId = await newSchedule();
    const id = await archived(scheduleId, 'tenant-a', 'failed', hoursAgo(4), hoursAgo(4));
    expect((await api.call('DELETE', `/api/schedules/${scheduleId}`, { key })).status).toBe(204);
    expect((await api.call('POST', `/api/events/${id}/retry`, { key })).status).toBe(409);
    expect((await api.call('POST', '/api/events/0123456789abcdef01234567/retry', { key })).status).toBe(404);
    expect((await api.call('POST', `/api/events/${id}/retry`, { key, body: { now: true } })).status).toBe(400);
  });
});

describe('POST /api/events/retry (recover since T)', () => {
  it('redelivers the failed events that finished in the window, of this tenant only', async () => {
    const tenant = 'tenant-bulk';
    const bulkKey = await api.newKey(tenant);
    const s1 = await newSchedule(bulkKey);
    const s2 = await newSchedule(bulkKey);
    const inWindow = [
      await archived(s1, tenant, 'failed', hoursAgo(10), hoursAgo(5)),
      await archived(s2, tenant, 'failed', hoursAgo(9), hoursAgo(4)),
    ];
    const tooOld = await archived(s1, tenant, 'failed', hoursAgo(30), hoursAgo(20));
    const succeeded = await archived(s1, tenant, 'succeeded', hoursAgo(8), hoursAgo(4));
    const foreignSchedule = await newSchedule(otherKey);
    const foreign = await archived(foreignSchedule, 'tenant-b', 'failed', hoursAgo(8), hoursAgo(4));

    const since = hoursAgo(6).toISOString();
    const bad = await api.call('POST', '/api/events/retry', {
      key: bulkKey,
      body: { since, until: hoursAgo(7).toISOString() },
    });
    expect(bad.status).toBe(400);

    const onlyS2 = await api.call('POST', '/api/events/retry', { key: bulkKey, body: { since, schedule_id: s2 } });
    expect(onlyS2.body).toEqual({ event_ids: [inWindow[1]], count: 1, more: false });
    const rest = await api.call('POST', '/api/events/retry', { key: bulkKey, body: { since } });
    expect(rest.status).toBe(202);
    expect(rest.body).toEqual({ event_ids: [inWindow[0]], count: 1, more: false });
    for (const id of [tooOld, succeeded]) expect(await api.models.archivedEvents.countDocuments({ _id: id })).toBe(1);
    expect(await api.models.archivedEvents.countDocuments({ _id: foreign, status: 'failed' })).toBe(1);

    const foreignFilter = await api.call('POST', '/api/events/retry', {
      key: bulkKey,
      body: { since, schedule_id: foreignSchedule },
    });
    expect(foreignFilter.status).toBe(404);
    const missing = await api.call('POST', '/api/events/retry', { key: bulkKey, body: {} });
    expect(missing.body.error.details[0]).toMatchObject({ field: 'since' });
  });
});
