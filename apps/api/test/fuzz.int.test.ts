/**
 * Throws random bodies and rules at the create, update and preview endpoints for a bounded time
 * and requires that none answers 5xx or hangs, and that every answer matches its declared schema
 * (checked by the test helper). FUZZ_SEED reproduces a run; FUZZ_SECONDS changes its length.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HOOK_TIMEOUT_MS, scheduleBody, startTestApi, type TestApi } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 12);
/** A request that takes longer than this counts as a hang. */
const HANG_MS = 10_000;

let api: TestApi;
let key: string;
let scheduleId: string;

beforeAll(async () => {
  // The production minimum interval (60 s), so the limit itself is fuzzed too.
  api = await startTestApi('api-fuzz', { services: { minIntervalSeconds: 60 } });
  key = await api.newKey();
  const created = await api.call('POST', '/api/schedules', { key, body: scheduleBody() });
  scheduleId = created.body.id;
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '');
const zone = fc.constantFrom(
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Nope/Nowhere',
  'utc',
  '',
  'EST5EDT',
);
const number = fc.oneof(
  fc.integer({ min: -400, max: 400 }),
  fc.constantFrom(0, 1, 53, 366, 10_000, 2 ** 31, -(2 ** 31), 1e21),
  fc.string({ maxLength: 4 }),
);
const byDay = fc
  .array(
    fc.tuple(
      fc.option(fc.integer({ min: -60, max: 60 }), { nil: undefined }),
      fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU', 'XX'),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((days) => `BYDAY=${days.map(([n, d]) => `${n ?? ''}${d}`).join(',')}`);
const part = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'INTERVAL',
        'COUNT',
        'BYSECOND',
        'BYMINUTE',
        'BYHOUR',
        'BYMONTHDAY',
        'BYYEARDAY',
        'BYWEEKNO',
        'BYMONTH',
        'BYSETPOS',
      ),
      fc.array(number, { minLength: 1, maxLength: 4 }),
    )
    .map(([name, values]) => `${name}=${values.join(',')}`),
  byDay,
  fc.constantFrom(
    'WKST=MO',
    'WKST=SU',
    'UNTIL=20300101T000000Z',
    'UNTIL=19990101',
    'UNTIL=garbage',
    'X-FOO=1',
    'RSCALE=GREGORIAN',
    '',
  ),
);
const freq = fc.constantFrom(
  'SECONDLY',
  'MINUTELY',
  'HOURLY',
  'DAILY',
  'WEEKLY',
  'MONTHLY',
  'YEARLY',
  'FORTNIGHTLY',
  '',
);
const recur = fc.tuple(freq, fc.array(part, { maxLength: 5 })).map(([f, parts]) => [`FREQ=${f}`, ...parts].join(';'));
const date = fc.date({
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2300-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const dtstart = fc.oneof(
  date.map((d) => `DTSTART:${stamp(d)}Z`),
  fc.tuple(zone, date).map(([z, d]) => `DTSTART;TZID=${z}:${stamp(d)}`),
  date.map((d) => `DTSTART;VALUE=DATE:${stamp(d).slice(0, 8)}`),
  fc.string({ maxLength: 30 }).map((s) => `DTSTART:${s}`),
);
const dateList = fc.array(date, { minLength: 1, maxLength: 4 }).map((ds) => ds.map((d) => `${stamp(d)}Z`).join(','));
const ruleText = fc.oneof(
  recur,
  recur.map((r) => `RRULE:${r}`),
  fc
    .tuple(
      dtstart,
      recur,
      fc.option(dateList, { nil: undefined }),
      fc.option(dateList, { nil: undefined }),
      fc.constantFrom('\n', '\r\n', ' '),
    )
    .map(([start, r, ex, rd, eol]) =>
      [start, `RRULE:${r}`, ex ? `EXDATE:${ex}` : '', rd ? `RDATE:${rd}` : ''].filter(Boolean).join(eol),
    ),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);
const any = fc.anything({ maxDepth: 2 });
const createBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 250 }), any),
    rrule: fc.oneof(ruleText, ruleText, any),
    callback_url: fc.oneof(
      fc.webUrl(),
      fc.constantFrom('ftp://x/y', 'http://', 'javascript:alert(1)', 'http://[::1]:99999/', 'https://u:p@h/'),
      fc.string(),
      any,
    ),
    timezone: fc.oneof(zone, fc.string({ maxLength: 70 }), any),
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'get'), fc.string({ maxLength: 8 })),
    headers: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 40 }), any), { maxKeys: 25 }),
      any,
    ),
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 3 })),
    timeout_ms: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 6 })),
    retry_policy: fc.oneof(
      fc.record(
        { max_attempts: fc.integer({ min: -5, max: 200 }), min_backoff_ms: fc.integer(), max_backoff_ms: fc.integer() },
        { requiredKeys: [] },
      ),
      any,
    ),
    misfire_policy: fc.oneof(fc.constantFrom('fire_once', 'fire_all', 'skip', 'never'), any),
    overlap_policy: fc.oneof(fc.constantFrom('allow', 'skip', 'cancel_previous', 'queue'), any),
    max_consecutive_failures: fc.oneof(fc.integer({ min: -10, max: 20_000 }), any),
    metadata: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 70 }), fc.oneof(fc.string({ maxLength: 300 }), any), { maxKeys: 40 }),
      any,
    ),
  },
  { requiredKeys: [] },
);
const previewBody = fc.record(
  {
    rrule: fc.oneof(ruleText, ruleText, any),
    timezone: fc.oneof(zone, any),
    from: fc.oneof(
      date.map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
      any,
    ),
    to: fc.oneof(
      date.map((d) => d.toISOString()),
      any,
    ),
    limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), any),
    detail: fc.oneof(fc.boolean(), any),
  },
  { requiredKeys: [] },
);
const payload = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: body.map((b) => JSON.stringify(b) ?? '') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
/** Well-formed bodies whose rule and zone are random: these reach the rule compiler and planning. */
const ruleOnly = fc.record(
  { rrule: ruleText, timezone: fc.option(zone, { nil: undefined }) },
  { requiredKeys: ['rrule'] },
);
const createWithRandomRule = ruleOnly.map((r) => JSON.stringify(scheduleBody(r)));
const previewWithRandomRule = fc
  .tuple(
    ruleOnly,
    fc.option(
      date.map((d) => d.toISOString()),
      { nil: undefined },
    ),
    fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    fc.boolean(),
  )
  .map(([r, from, limit, detail]) => JSON.stringify({ ...r, from, limit, detail }));
const request = fc.oneof(
  payload(createBody).map((p) => ({ method: 'POST' as const, url: () => '/api/schedules', p })),
  createWithRandomRule.map((p) => ({ method: 'POST' as const, url: () => '/api/schedules', p })),
  payload(createBody).map((p) => ({ method: 'PATCH' as const, url: () => `/api/schedules/${scheduleId}`, p })),
  ruleOnly.map((r) => ({ method: 'PATCH' as const, url: () => `/api/schedules/${scheduleId}`, p: JSON.stringify(r) })),
  payload(previewBody).map((p) => ({ method: 'POST' as const, url: () => '/api/rrule/preview', p })),
  previewWithRandomRule.map((p) => ({ method: 'POST' as const, url: () => '/api/rrule/preview', p })),
);

describe('the minimum interval (60 s here, as in production)', () => {
  it.each(['FREQ=SECONDLY;INTERVAL=30', 'FREQ=MINUTELY;BYSECOND=0,30', 'FREQ=HOURLY;BYMINUTE=0;BYSECOND=0,30'])(
    'rejects %s with 400 INTERVAL_TOO_SHORT',
    async (rrule) => {
      const reply = await api.call('POST', '/api/schedules', { key, body: scheduleBody({ rrule }) });
      expect(reply.status).toBe(400);
      expect(reply.body.error.details[0]).toMatchObject({ field: 'rrule', code: 'INTERVAL_TOO_SHORT' });
    },
  );

  it('accepts a rule firing every minute', async () => {
    expect(
      (await api.call('POST', '/api/schedules', { key, body: scheduleBody({ rrule: 'FREQ=MINUTELY' }) })).status,
    ).toBe(201);
  });
});

describe('fuzzing create, update and preview', () => {
  it(`never answers 5xx and never hangs (seed ${SEED}, ${SECONDS} s)`, async () => {
    const statuses = new Map<number, number>();
    let slowest = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ method, url, p }) => {
        const started = performance.now();
        const reply = await api.call(method, url(), {
          key,
          payload: p,
          headers: { 'content-type': 'application/json' },
        });
        const ms = performance.now() - started;
        slowest = Math.max(slowest, ms);
        runs++;
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(reply.status).toBeLessThan(500);
        expect(ms).toBeLessThan(HANG_MS);
        if (reply.status >= 400) expect(reply.body.error.code).toEqual(expect.any(String));
        // A schedule that was accepted must have been updated to something that still works.
        if (method === 'PATCH' && reply.status === 200) expect(reply.body.id).toBe(scheduleId);
      }),
      { seed: SEED, interruptAfterTimeLimit: SECONDS * 1000, numRuns: 1_000_000, markInterruptAsFailure: false },
    );
    process.stdout.write(
      `fuzz: ${runs} requests in ${SECONDS} s (seed ${SEED}), slowest ${Math.round(slowest)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(runs).toBeGreaterThan(50);
    // The API still answers normally afterwards.
    expect((await api.call('GET', `/api/schedules/${scheduleId}`, { key })).status).toBe(200);
  }, 120_000);
});
