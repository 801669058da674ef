import { describe, expect, it } from '@jest/globals';
import { ApiError, createApiClient } from './api.js';

interface Sent {
  url: string;
  init: RequestInit | undefined;
}

/** A stand-in for the network: records each request and answers `reply`. */
function recording(reply: () => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    sent.push({ url, init });
    return reply();
  };
  return { sent, fetcher };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the console’s API client', () => {
  it('sends the key in X-API-KEY and JSON bodies with their type', async () => {
    const { sent, fetcher } = recording(() => json(201, { id: 'x' }));
    const api = createApiClient('sk_test', fetcher);
    await api.createSchedule({ name: 'n' });
    expect(sent[0]?.url).toBe('/api/schedules');
    expect(sent[0]?.init?.method).toBe('POST');
    expect(sent[0]?.init?.headers).toEqual({ 'x-api-key': 'sk_test', 'content-type': 'application/json' });
    expect(sent[0]?.init?.body).toBe('{"name":"n"}');
  });

  it('builds query strings without empty filters and escapes path ids', async () => {
    const { sent, fetcher } = recording(() => json(200, {}));
    const api = createApiClient('k', fetcher);
    await api.listSchedules({ page: 2, limit: 20, status: '', name: 'a&b' });
    await api.eventHistory('id/with?odd', 1, 1);
    await api.preview('FREQ=DAILY', undefined);
    expect(sent.map((s) => s.url)).toEqual([
      '/api/schedules?page=2&limit=20&name=a%26b',
      '/api/schedules/id%2Fwith%3Fodd/events/history?page=1&limit=1',
      '/api/rrule/preview',
    ]);
    expect(JSON.parse(String(sent[2]?.init?.body))).toEqual({ rrule: 'FREQ=DAILY', limit: 10, detail: true });
  });

  it('turns the API’s error body into an ApiError with its code and details', async () => {
    const detail = { field: 'rrule', message: 'unknown FREQ', code: 'INVALID_FREQ', part: 'FREQ=SOMETIMES' };
    const { fetcher } = recording(() =>
      json(400, { error: { code: 'validation_failed', message: 'rrule: unknown FREQ', details: [detail] } }),
    );
    const failure = await createApiClient('k', fetcher)
      .preview('FREQ=SOMETIMES', 'UTC')
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 400, code: 'validation_failed', details: [detail] });
  });

  it('reports a non-JSON error and an unreachable API plainly', async () => {
    const gateway = await createApiClient('k', recording(() => new Response('<html>', { status: 502 })).fetcher)
      .signingSecret()
      .catch((e: unknown) => e);
    expect(gateway).toMatchObject({ status: 502, code: 'http_error', message: 'HTTP 502' });
    const offline = await createApiClient('k', async () => {
      throw new TypeError('fetch failed');
    })
      .deliveryStats()
      .catch((e: unknown) => e);
    expect(offline).toMatchObject({ status: 0, code: 'network' });
  });

  it('answers undefined for 204 (delete)', async () => {
    const { sent, fetcher } = recording(() => new Response(null, { status: 204 }));
    await expect(createApiClient('k', fetcher).deleteSchedule('s1')).resolves.toBeUndefined();
    expect(sent[0]?.init?.method).toBe('DELETE');
  });
});
