import { describe, expect, it, jest } from '@jest/globals';
import { type AppName, freePort, spawnService, testServices } from '../src/index.js';

// Each test starts a process; on a busy machine that alone can take longer than jest's 5 s default.
jest.setTimeout(60_000);

const APPS: AppName[] = ['api', 'prequeuer', 'dispatcher', 'worker'];
const services = testServices('lifecycle');
const portVariable: Record<AppName, string> = {
  api: 'API_PORT',
  prequeuer: 'PREQUEUER_HEALTH_PORT',
  dispatcher: 'DISPATCHER_HEALTH_PORT',
  worker: 'WORKER_HEALTH_PORT',
};

describe.each(APPS)('the %s service', (app) => {
  it('stops at start with one line naming a bad config value', async () => {
    const service = spawnService(app, { ...services.env, LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_SECONDS: '-1' });
    expect(await service.exited).toBe(78);
    expect(service.stderr).toHaveLength(1);
    expect(service.stderr[0]).toContain(`${app}: invalid configuration: `);
    expect(service.stderr[0]).toContain(
      'log.level = "loud" (from LOG_LEVEL): expected one of fatal, error, warn, info',
    );
    expect(service.stderr[0]).toContain(
      'shutdown.timeout_seconds = -1 (from SHUTDOWN_TIMEOUT_SECONDS): expected a number > 0',
    );
  });

  it('exits non-zero with a clear message when MongoDB cannot be reached', async () => {
    const service = spawnService(app, {
      ...services.env,
      MONGO_URL: 'mongodb://127.0.0.1:1',
      MONGO_CONNECT_TIMEOUT_SECONDS: '1',
    });
    expect(await service.exited).toBe(1);
    expect(service.lines.join('\n')).toMatch(/failed to start: cannot reach MongoDB at mongodb:\/\/127\.0\.0\.1:1/);
  }, 30_000);

  it('exits non-zero with a clear message when Redis cannot be reached', async () => {
    const service = spawnService(app, {
      ...services.env,
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CONNECT_TIMEOUT_SECONDS: '1',
    });
    expect(await service.exited).toBe(1);
    expect(service.lines.join('\n')).toMatch(/failed to start: cannot reach Redis at 127\.0\.0\.1:1 within 1 s/);
  }, 30_000);

  it('serves health, logs JSON with service, version and pid, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const service = spawnService(app, { ...services.env, [portVariable[app]]: String(port), LOG_LEVEL: 'info' });
    try {
      await service.waitForLine(/"msg":"started"/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { mongo: 'ok', redis: 'ok' } });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`process_cpu_seconds_total{service="${app}"}`);
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }
    const records = service.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(2);
    for (const record of records) {
      expect(record).toMatchObject({ service: app, version: '0.1.0', pid: service.child.pid });
    }
    expect(records.at(-1)).toMatchObject({ msg: 'stopped', clean: true });
  }, 30_000);
});
