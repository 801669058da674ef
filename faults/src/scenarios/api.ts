import { randomBytes } from 'node:crypto';
import { type RawAnswer, rawRequest } from '../api/raw.js';
import { inLanes, type Scenario, type ScenarioContext } from '../scenario.js';
import { only } from './helpers.js';

const apiUrl = (ctx: ScenarioContext, path: string) =>
  `http://127.0.0.1:${only(ctx.stack.role('api'), 'api').port}${path}`;

const statuses = (answers: readonly RawAnswer[]) => {
  const counts = new Map<number, number>();
  for (const a of answers) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${n} × ${s || 'no answer'}`)
    .join(', ');
};

export const keyGuessing: Scenario = {
  name: 'key-guessing',
  fault: '1,000 wrong API keys and 1,700 wrong admin keys from one address',
  defect: 4,
  proves:
    'Guessing keys is rate-limited per client address before the key check, for API and admin keys, without locking the tenant out from its other addresses (defect 4: wrong API keys were never limited).',
  // The production limit: the suite's own raises it for the harness's reads.
  stack: { env: { API_RATE_LIMIT_PER_MINUTE: '600' } },
  async run(ctx) {
    await ctx.load({ count: 4, everyS: () => 2, runS: 40 });
    const guess = (path: string, header: string, localAddress: string) => () =>
      rawRequest({
        url: apiUrl(ctx, path),
        method: 'GET',
        headers: { [header]: `sk_${randomBytes(32).toString('base64url')}` },
        localAddress,
      });
    const burst = (n: number, send: () => Promise<RawAnswer>) =>
      inLanes(
        Array.from({ length: n }, (_, i) => i),
        20,
        () => send(),
      );
    const apiGuesses = await burst(1000, guess('/api/schedules', 'x-api-key', '127.0.0.2'));
    const adminGuesses = await burst(1700, guess('/admin/api-keys', 'x-admin-key', '127.0.0.3'));
    ctx.note(`wrong API keys from 127.0.0.2: ${statuses(apiGuesses)}`);
    ctx.note(`wrong admin keys from 127.0.0.3: ${statuses(adminGuesses)}`);
    ctx.check(
      'wrong API keys from one address are rate-limited',
      apiGuesses.some((a) => a.status === 429),
      statuses(apiGuesses),
    );
    ctx.check(
      'wrong admin keys from one address are rate-limited',
      adminGuesses.some((a) => a.status === 429),
      statuses(adminGuesses),
    );
    const own = await burst(20, () =>
      rawRequest({
        url: apiUrl(ctx, '/api/schedules?limit=1'),
        method: 'GET',
        headers: { 'x-api-key': ctx.api.keyOf('a') },
        localAddress: '127.0.0.4',
      }),
    );
    ctx.check(
      'the tenant’s own key still works from another address',
      own.every((a) => a.status === 200),
      statuses(own),
    );
  },
};

/** `[[[...]]]` or `{"a":{"a":...}}`, `depth` deep, as JSON text (about 2 or 6 bytes a level). */
function nested(kind: 'array' | 'object', depth: number): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export const nestedBody: Scenario = {
  name: 'nested-body',
  fault: 'callback body nested 10,000 deep',
  defect: 6,
  proves:
    'A callback body nested 10,000 deep is refused with a clear 400 on create and update, never a 500 (defect 6: JSON.stringify overflowed and the API answered 500).',
  async run(ctx) {
    const load = await ctx.load({ count: 4, runS: 30 });
    const id = load.ids[0] ?? '';
    const fields = `"name":"faults nested","rrule":"FREQ=DAILY","callback_url":"${ctx.receiver.url('a', 'nested')}"`;
    const sends: [string, string, string, string][] = [];
    for (const kind of ['array', 'object'] as const) {
      sends.push([`create, ${kind}s`, 'POST', '/api/schedules', `{${fields},"body":${nested(kind, 10_000)}}`]);
      sends.push([`update, ${kind}s`, 'PATCH', `/api/schedules/${id}`, `{"body":${nested(kind, 10_000)}}`]);
    }
    const answers: string[] = [];
    let wrong = 0;
    for (const [what, method, path, body] of sends) {
      const answer = await rawRequest({
        url: apiUrl(ctx, path),
        method,
        headers: { 'x-api-key': ctx.api.keyOf('a') },
        body,
      });
      const code = answer.status === 400 ? JSON.parse(answer.body).error?.code : '';
      answers.push(`${what}: ${answer.status}${code ? ` ${code}` : ''}`);
      if (answer.status !== 400) wrong += 1;
      // An accepted one is in the database now: delete it, so nothing of it may fire.
      if (answer.status === 201) await ctx.api.call('DELETE', `/api/schedules/${JSON.parse(answer.body).id}`);
    }
    ctx.check('a body nested 10,000 deep is a 400', wrong === 0, answers.join('; '));
  },
};

export const badHeaderValues: Scenario = {
  name: 'header-values',
  fault: 'callback header values that cannot be sent (U+0100, DEL)',
  defect: 7,
  proves:
    'A header value the HTTP client could never send (a character above U+00FF, DEL) is refused with a 400 when the schedule is saved, instead of failing every callback later (defect 7: stored with 201).',
  async run(ctx) {
    const load = await ctx.load({ count: 4, runS: 40, extra: { headers: { 'x-note': 'plain value' } } });
    const values = { 'U+0100': 'caf\u0100', DEL: 'a\u007fb' };
    const answers: string[] = [];
    let wrong = 0;
    for (const [what, value] of Object.entries(values)) {
      // An accepted one stays in the ledger: its callbacks must then be delivered like any other.
      const created = await ctx.load({
        count: 1,
        lane: `header-${what}`,
        runS: 30,
        extra: { headers: { 'x-note': value } },
        allowRefusal: true,
      });
      const updated = await ctx.ledger.update(load.ids[0] ?? '', { headers: { 'x-note': value } });
      answers.push(`create with ${what}: ${created.statuses[0]}; update with ${what}: ${updated.status}`);
      if (created.statuses[0] !== 400) wrong += 1;
      if (updated.status !== 400) wrong += 1;
    }
    ctx.check('an unsendable header value is a 400', wrong === 0, answers.join('; '));
  },
};
