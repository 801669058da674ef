import { randomBytes } from 'node:crypto';
import { generateSigningSecret as newSigningSecret } from '@event-scheduler/callback';
import { describe, expect, it } from '@jest/globals';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { buildRequest, type RequestInput } from './request.js';

const secret = newSigningSecret();
const objectId = () => {
  const hex = randomBytes(12).toString('hex');
  return { toString: () => hex } as RequestInput['schedule']['_id'];
};
const eventId = objectId().toString();
const base = (over: Partial<RequestInput['schedule']> = {}, secrets = [secret]): RequestInput => ({
  schedule: {
    _id: objectId(),
    callback_url: 'https://hooks.example/x',
    method: 'POST',
    headers_json: null,
    body: null,
    timeout_ms: 5000,
    name: 'Nightly',
    metadata: { team: 'ops' },
    ...over,
  },
  eventId,
  occurrenceAt: new Date('2026-03-01T02:00:00Z'),
  attempt: 2,
  timestamp: Math.floor(Date.now() / 1000),
  secrets,
  userAgent: 'test',
});

/** Whether the independent implementation accepts the signature (it also JSON-parses the body: ignored here). */
function verifies(key: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(key).verify(body, headers);
    return true;
  } catch (error) {
    return !(error instanceof WebhookVerificationError);
  }
}

describe('buildRequest', () => {
  it('sends the envelope, identifies the occurrence and signs it verifiably (standardwebhooks)', () => {
    const input = base();
    const request = buildRequest(input);
    expect(JSON.parse(request.body ?? '')).toEqual({
      schedule_id: input.schedule._id.toString(),
      event_id: eventId,
      scheduled_at: '2026-03-01T02:00:00.000Z',
      attempt: 2,
      name: 'Nightly',
      metadata: { team: 'ops' },
    });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': eventId,
      'idempotency-key': eventId,
      'x-event-id': eventId,
      'x-schedule-id': input.schedule._id.toString(),
      'x-scheduled-time': '2026-03-01T02:00:00.000Z',
      'x-attempt': '2',
    });
    expect(verifies(secret, request.body ?? '', request.headers)).toBe(true);
    expect(verifies(newSigningSecret(), request.body ?? '', request.headers)).toBe(false);
  });

  it('sends a custom body verbatim; user headers apply but cannot replace the signature or ids', () => {
    const headers = {
      'X-Team': 'ops',
      'Webhook-Id': 'forged',
      'idempotency-key': 'forged',
      'Content-Type': 'text/csv',
    };
    const request = buildRequest(base({ body: 'a,b\n1,2', headers_json: JSON.stringify(headers) }));
    expect(request.body).toBe('a,b\n1,2');
    expect(request.headers['x-team']).toBe('ops');
    expect(request.headers['content-type']).toBe('text/csv');
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['idempotency-key']).toBe(eventId);
    expect(verifies(secret, request.body ?? '', request.headers)).toBe(true);
  });

  it('sends no body with GET and signs the empty body', () => {
    const request = buildRequest(base({ method: 'get' }));
    expect(request.method).toBe('GET');
    expect(request.body).toBeNull();
    expect(request.headers['content-type']).toBeUndefined();
    expect(verifies(secret, '', request.headers)).toBe(true);
  });

  it('signs with both secrets during a rotation, so either verifies', () => {
    const next = newSigningSecret();
    const request = buildRequest(base({}, [next, secret]));
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifies(next, request.body ?? '', request.headers)).toBe(true);
    expect(verifies(secret, request.body ?? '', request.headers)).toBe(true);
  });
});
