/**
 * Guessing keys is limited per client address, before the key is even looked at: an address that
 * failed too often gets 429 whatever it sends next, while every other address, and every tenant
 * through them, goes on as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, HOOK_TIMEOUT_MS, startTestApi, type TestApi } from './helpers.js';

const FAILURES = 5;
let api: TestApi;

beforeAll(async () => {
  // A generous request limit, so only failed authentication can be what answers 429 here.
  api = await startTestApi('api-auth-limit', { app: { authFailuresPerMinute: FAILURES, rateLimitPerMinute: 100_000 } });
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await api?.close();
}, HOOK_TIMEOUT_MS);

const list = (remoteAddress: string, headers: Record<string, string>) =>
  api.call('GET', '/api/schedules', { remoteAddress, headers });

describe('failed API keys', () => {
  it('answer 429 once an address has guessed wrong too often, even with a valid key', async () => {
    const guesser = '203.0.113.10';
    const key = await api.newKey();
    for (let i = 0; i < FAILURES; i++) {
      expect((await list(guesser, { 'x-api-key': `sk_guess_${i}` })).status).toBe(401);
    }
    const limited = await list(guesser, { 'x-api-key': 'sk_guess_next' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.body.error.message).toMatch(/failed authentication/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Refused before the key check: a correct guess from there cannot be told apart.
    expect((await list(guesser, { 'x-api-key': key })).status).toBe(429);
  });

  it('never lock out a tenant: its key still works from every other address', async () => {
    const key = await api.newKey();
    for (let i = 0; i < FAILURES + 3; i++) await list('203.0.113.20', { 'x-api-key': `sk_wrong_${i}` });
    expect((await list('203.0.113.20', { 'x-api-key': key })).status).toBe(429);
    expect((await list('198.51.100.7', { 'x-api-key': key })).status).toBe(200);
    expect((await list('198.51.100.7', { authorization: `Bearer ${key}` })).status).toBe(200);
  });

  it('count only failures: any number of good requests leaves an address its full allowance', async () => {
    const key = await api.newKey();
    const client = '198.51.100.30';
    for (let i = 0; i < FAILURES * 3; i++) expect((await list(client, { 'x-api-key': key })).status).toBe(200);
    for (let i = 0; i < FAILURES; i++) expect((await list(client, { 'x-api-key': `sk_typo_${i}` })).status).toBe(401);
    expect((await list(client, { 'x-api-key': 'sk_typo_last' })).status).toBe(429);
  });

  it('count a request without any key as no guess', async () => {
    const client = '198.51.100.40';
    for (let i = 0; i < FAILURES * 2; i++) expect((await list(client, {})).status).toBe(401);
    expect((await list(client, { 'x-api-key': await api.newKey() })).status).toBe(200);
  });
});

describe('failed admin keys', () => {
  it('answer 429 once an address has guessed wrong too often, and only there', async () => {
    const admin = (remoteAddress: string, key: string) =>
      api.call('GET', '/admin/api-keys', { remoteAddress, headers: { 'x-admin-key': key } });
    for (let i = 0; i < FAILURES; i++) expect((await admin('203.0.113.50', `guess-${i}`)).status).toBe(401);
    expect((await admin('203.0.113.50', 'guess-next')).status).toBe(429);
    expect((await admin('203.0.113.50', ADMIN_KEY)).status).toBe(429);
    expect((await admin('198.51.100.50', ADMIN_KEY)).status).toBe(200);
  });
});
