/**
 * Rules as people see them: the text they sent comes back as they wrote it (the canonical form
 * beside it), a preview says why its list is empty or short, and a rule that is not one gets one
 * message, not one per word.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HOOK_TIMEOUT_MS, scheduleBody, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let key: string;

beforeAll(async () => {
  api = await startTestApi('api-rules');
  key = await api.newKey();
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const preview = (body: Record<string, unknown>) => api.call('POST', '/api/rrule/preview', { key, body });
const DAY = 86_400_000;

describe('the rule text', () => {
  it('comes back as the user wrote it, with the canonical form (what planning uses) beside it', async () => {
    const created = await api.call('POST', '/api/schedules', { key, body: scheduleBody() });
    expect(created.status).toBe(201);
    expect(created.body.rrule).toBe('FREQ=DAILY;INTERVAL=1');
    expect(created.body.canonical_rrule).toMatch(/^DTSTART:\d{8}T\d{6}Z\nRRULE:FREQ=DAILY$/);
    const fetched = await api.call('GET', `/api/schedules/${created.body.id}`, { key });
    expect(fetched.body).toMatchObject({
      rrule: 'FREQ=DAILY;INTERVAL=1',
      canonical_rrule: created.body.canonical_rrule,
    });
    const stored = await api.models.schedules.findOne({ _id: created.body.id }).lean();
    expect(stored?.rrule).toBe(created.body.canonical_rrule);
  });

  it('follows an update, even one that compiles to the same canonical rule', async () => {
    const created = await api.call('POST', '/api/schedules', {
      key,
      body: scheduleBody({ rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY' }),
    });
    const same = await api.call('PATCH', `/api/schedules/${created.body.id}`, {
      key,
      body: { rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=1' },
    });
    expect(same.body).toMatchObject({
      rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=1',
      canonical_rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY',
      version: 1,
    });
    const changed = await api.call('PATCH', `/api/schedules/${created.body.id}`, {
      key,
      body: { rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1' },
    });
    expect(changed.body).toMatchObject({ rrule: 'RRULE:FREQ=WEEKLY;INTERVAL=1', version: 2 });
    expect(changed.body.canonical_rrule).toMatch(/\nRRULE:FREQ=WEEKLY$/);
  });

  it('is the canonical text for schedules saved before the text was kept', async () => {
    const created = await api.call('POST', '/api/schedules', { key, body: scheduleBody() });
    await api.models.schedules.updateOne({ _id: created.body.id }, { $unset: { rrule_source: 1 } });
    const fetched = await api.call('GET', `/api/schedules/${created.body.id}`, { key });
    expect(fetched.body.rrule).toBe(created.body.canonical_rrule);
  });

  it('is echoed by a preview, with the canonical text it would store', async () => {
    const reply = await preview({ rrule: 'FREQ=DAILY;INTERVAL=1', limit: 1 });
    expect(reply.body.rrule).toBe('FREQ=DAILY;INTERVAL=1');
    expect(reply.body.canonical_rrule).toMatch(/^DTSTART:\d{8}T\d{6}Z\nRRULE:FREQ=DAILY$/);
  });
});

describe('a rule that is not one', () => {
  it('gets one message naming the field and the bad part, not one per word', async () => {
    for (const [method, url] of [
      ['POST', '/api/schedules'],
      ['POST', '/api/rrule/preview'],
    ] as const) {
      const body =
        url === '/api/schedules'
          ? scheduleBody({ rrule: 'every day at noon please' })
          : { rrule: 'every day at noon please' };
      const reply = await api.call(method, url, { key, body });
      expect(reply.status).toBe(400);
      expect(reply.body.error.details).toHaveLength(1);
      expect(reply.body.error.details[0]).toMatchObject({
        field: 'rrule',
        code: 'SYNTAX',
        part: 'every day at noon please',
      });
      expect(reply.body.error.message).toBe(
        'rrule: Expected "NAME:value" or "FREQ=...", got "every day at noon please".',
      );
    }
  });

  it('still lists different problems one by one', async () => {
    const reply = await preview({ rrule: 'FREQ=DAILY;BYHOUR=25;BYMINUTE=99' });
    expect(reply.body.error.details.map((d: { part: string }) => d.part).sort()).toEqual(['BYHOUR=25', 'BYMINUTE=99']);
  });
});

describe('a preview says why its list is empty or short', () => {
  // The README's example, with `from` set, so it shows the same on any date.
  const readme = { rrule: 'DTSTART;TZID=America/New_York:20260308T023000\nRRULE:FREQ=DAILY;COUNT=3', detail: true };

  it('lists the README example on any date', async () => {
    const reply = await preview({ ...readme, from: '2026-03-01T00:00:00Z' });
    expect(reply.status).toBe(200);
    expect(reply.body.occurrences.map((o: { dst: string | null }) => o.dst)).toEqual(['gap_shifted', null, null]);
    expect(reply.body.end).toEqual({
      reason: 'rule_ended',
      next: null,
      before_from: false,
      message: 'The rule ends (COUNT=3): no occurrence after 2026-03-10T06:30:00.000Z.',
    });
  });

  it('the rule ended before from (now, by default)', async () => {
    const reply = await preview({ ...readme, from: '2026-06-01T00:00:00Z' });
    expect(reply.body.occurrences).toEqual([]);
    expect(reply.body.end).toMatchObject({ reason: 'rule_ended', next: null, before_from: true });
    expect(reply.body.end.message).toBe(
      'The rule ends (COUNT=3) before from (2026-06-01T00:00:00.000Z): its first occurrence is ' +
        '2026-03-08T07:30:00.000Z; set from earlier to see them.',
    );
    const byDefault = await preview(readme);
    expect(byDefault.body.end.message).toContain('before from (now, by default');
  });

  it('DTSTART is before from: the earlier occurrences are not listed', async () => {
    const reply = await preview({
      rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20260110T090000Z',
      from: '2026-01-08T00:00:00Z',
    });
    expect(reply.body.occurrences).toEqual([
      '2026-01-08T09:00:00.000Z',
      '2026-01-09T09:00:00.000Z',
      '2026-01-10T09:00:00.000Z',
    ]);
    expect(reply.body.end).toMatchObject({ reason: 'rule_ended', before_from: true, next: null });
    expect(reply.body.end.message).toBe(
      'The rule ends (UNTIL=20260110T090000Z): no occurrence after 2026-01-10T09:00:00.000Z. ' +
        'DTSTART (2026-01-01T09:00:00.000Z) is before from (2026-01-08T00:00:00.000Z): earlier occurrences are not listed.',
    );
  });

  it('the window ended with more to come', async () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const reply = await preview({
      rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY',
      from: new Date(from).toISOString(),
      to: new Date(from + 2 * DAY).toISOString(),
    });
    expect(reply.body.occurrences).toHaveLength(2);
    expect(reply.body.end).toEqual({
      reason: 'window',
      next: '2026-01-03T09:00:00.000Z',
      before_from: false,
      message: 'The window ends at to (2026-01-03T00:00:00.000Z); the next occurrence is 2026-01-03T09:00:00.000Z.',
    });
  });

  it('a sparse rule cut off by the default 10-year window says that more follow', async () => {
    const reply = await preview({
      rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=YEARLY;INTERVAL=7',
      from: '2026-01-01T00:00:00Z',
    });
    expect(reply.body.occurrences).toEqual(['2026-01-01T00:00:00.000Z', '2033-01-01T00:00:00.000Z']);
    expect(reply.body.end).toMatchObject({ reason: 'window', next: '2040-01-01T00:00:00.000Z' });
    expect(reply.body.end.message).toContain('10 years after from, by default');
  });

  it('the limit was reached', async () => {
    const reply = await preview({
      rrule: 'DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY',
      from: '2026-01-01T00:00:00Z',
      limit: 2,
    });
    expect(reply.body.occurrences).toHaveLength(2);
    expect(reply.body.end).toEqual({
      reason: 'limit',
      next: '2026-01-03T09:00:00.000Z',
      before_from: false,
      message: 'Showing the first 2 (limit); the next occurrence is 2026-01-03T09:00:00.000Z.',
    });
  });

  it('the rule starts after the window', async () => {
    const reply = await preview({
      rrule: 'DTSTART:20300101T090000Z\nRRULE:FREQ=DAILY',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
    expect(reply.body.occurrences).toEqual([]);
    expect(reply.body.end).toMatchObject({ reason: 'window', next: '2030-01-01T09:00:00.000Z' });
  });
});
