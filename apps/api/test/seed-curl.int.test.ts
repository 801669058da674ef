/**
 * The seed's curl command, literally, against the built API started as its own process with the
 * development configuration (API_DEV_API_KEY as scripts/run.sh and docker-compose set it).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connectMongo } from '@event-scheduler/models';
import { freePort, type ServiceProcess, spawnService, testServices } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HOOK_TIMEOUT_MS } from './helpers.js';

const run = promisify(execFile);
const services = testServices('api-seed-curl');
let api: ServiceProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  api = spawnService('api', {
    ...services.env,
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    API_DEV_API_KEY: 'user-api-key-123',
    LOG_LEVEL: 'info',
  });
  await api.waitForLine(/"msg":"started"/, 45_000);
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  const code = await api?.stop();
  expect(code).toBe(0);
  const connection = await connectMongo({ uri: services.mongoUrl, database: services.database });
  await connection.dropDatabase();
  await connection.close();
}, HOOK_TIMEOUT_MS);

/** Runs curl; the last line of its output is the HTTP status (`-w`). */
async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args], { timeout: 30_000 });
  const lines = stdout.split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

describe('the seed’s curl command', () => {
  it('creates a schedule and answers 201', async () => {
    const { status, body } = await curl(
      '-H',
      'X-API-KEY: user-api-key-123',
      '-X',
      'POST',
      '-d',
      '{"name":"Daily Backup","rrule":"FREQ=DAILY;INTERVAL=1","callback_url":"https://example.com/callback"}',
      `http://localhost:${port}/api/schedules`,
    );
    expect(status).toBe(201);
    const schedule = JSON.parse(body);
    expect(schedule).toMatchObject({
      name: 'Daily Backup',
      status: 'active',
      callback_url: 'https://example.com/callback',
    });
    // The rule as sent, and the canonical form the scheduler runs (DTSTART: the creation second).
    expect(schedule.rrule).toBe('FREQ=DAILY;INTERVAL=1');
    expect(schedule.canonical_rrule).toMatch(/^DTSTART:\d{8}T\d{6}Z\nRRULE:FREQ=DAILY$/);
    const listed = await curl('-H', 'X-API-KEY: user-api-key-123', `http://localhost:${port}/api/schedules`);
    expect(JSON.parse(listed.body).schedules.map((s: { id: string }) => s.id)).toContain(schedule.id);
  });

  it('warns that a development key is enabled, without logging the key', async () => {
    const warning = await api.waitForLine(/development API key is enabled/);
    expect(JSON.parse(warning).level).toBe('warn');
    expect(api.lines.join('\n')).not.toContain('user-api-key-123');
  });

  it('refuses a wrong key and serves Swagger UI', async () => {
    const denied = await curl('-H', 'X-API-KEY: wrong', `http://localhost:${port}/api/schedules`);
    expect(denied.status).toBe(401);
    const hugeHeader = await curl('-H', `X-Junk: ${'x'.repeat(20_000)}`, `http://localhost:${port}/healthz`);
    expect(hugeHeader.status).toBe(431);
    const ui = await curl('-L', `http://localhost:${port}/swagger-ui`);
    expect(ui.status).toBe(200);
    expect(ui.body).toContain('<div id="swagger-ui">');
    const css = await curl(`http://localhost:${port}/docs/static/swagger-ui.css`);
    expect(css.status).toBe(200);
    const spec = await curl(`http://localhost:${port}/docs/openapi.json`);
    expect(JSON.parse(spec.body).info.title).toBe('Event Scheduler API');
    const ready = await curl(`http://localhost:${port}/readyz`);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { mongo: 'ok', redis: 'ok' } });
  });
});
