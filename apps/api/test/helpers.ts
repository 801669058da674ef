/**
 * Builds the real API (buildApp + services) against this test file's own database and queue
 * prefix on the real FerretDB/MongoDB and Redis, and checks every response against the schema
 * its route declares: a body that does not match, or a status the route does not declare, fails
 * the request that produced it.
 */
import { Writable } from 'node:stream';
import { redisConnectionOptions } from '@event-scheduler/config';
import { createEngine, type Engine } from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import { connectMongo, ensureIndexes, type Models, registerModels } from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import { createMetricsRegistry } from '@event-scheduler/runtime';
import { freePort, type TestServices, testServices } from '@event-scheduler/testing';
import { jest } from '@jest/globals';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { type AppSettings, buildApp, SHARED_SCHEMAS } from '../src/app.js';
import { type ApiServices, createServices, type ServiceSettings } from '../src/services/index.js';
import { createKeyCache } from '../src/services/key-cache.js';
import type { PlanningPort } from '../src/services/planning.js';

export const TEST_SERVICE_SETTINGS: ServiceSettings = {
  minIntervalSeconds: 1,
  backfillMaxOccurrences: 50,
  signingSecretOverlapMs: 24 * 3_600_000,
  defaultMaxAttempts: 6,
};

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read replies loosely; the helper checks them against their schemas
  body: any;
  text: string;
}

export interface TestApi {
  app: FastifyInstance;
  models: Models;
  /** The occurrence engine the API plans with (its timeline, snapshots) on this file's prefix. */
  engine: Engine;
  services: ApiServices;
  env: TestServices;
  logs: string[];
  /** Sends a request through `inject`; `key` goes in X-API-KEY, an object `body` as JSON. */
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<Reply>;
  /** A fresh API key of `tenantId` (a new tenant when absent). */
  newKey(tenantId?: string): Promise<string>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Raw payload, sent as is (malformed JSON, huge bodies). */
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** The client address the request comes from (default 127.0.0.1). */
  remoteAddress?: string;
}

const sharedContext = Object.fromEntries(SHARED_SCHEMAS.map((s) => [String((s as { $id?: string }).$id), s])) as Record<
  string,
  TSchema
>;

export async function startTestApi(
  label: string,
  overrides: {
    app?: Partial<AppSettings>;
    services?: Partial<ServiceSettings>;
    planning?: PlanningPort;
    /** The engine's Redis is a closed port: every plan or announcement fails as in an outage. */
    redisDown?: boolean;
    /** Keep authenticated keys in memory, revocations announced on Redis (as main.ts does). */
    keyCache?: boolean;
    /** Another API process on the same database and Redis prefix (it leaves them to their owner). */
    sharing?: TestApi;
  } = {},
): Promise<TestApi> {
  const env = overrides.sharing?.env ?? testServices(label);
  const connection = await connectMongo({ uri: env.mongoUrl, database: env.database });
  const models = registerModels(connection);
  await ensureIndexes(connection);
  const redis = createRedis({
    connection: redisConnectionOptions({
      host: '127.0.0.1',
      port: 6379,
      url: env.redisUrl,
    }),
    role: 'producer',
  });
  await waitForRedis(redis, 10_000);
  const logs: string[] = [];
  const log = createLogger({
    service: 'api-test',
    level: process.env.TEST_LOG_LEVEL ?? 'info',
    destination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
        done();
      },
    }),
  });
  const engineRedis = overrides.redisDown
    ? createRedis({ connection: { host: '127.0.0.1', port: await freePort() }, role: 'producer' })
    : redis;
  const engine = createEngine({
    models,
    redis: engineRedis,
    prefix: env.queuePrefix,
    log,
    windowMs: 10 * 60_000,
    leadMs: 1500,
  });
  const keyCache = overrides.keyCache
    ? await createKeyCache({
        publisher: redis,
        subscriber: createRedis({
          connection: redisConnectionOptions({ host: '127.0.0.1', port: 6379, url: env.redisUrl }),
          role: 'consumer',
        }),
        channel: `${env.queuePrefix}:revoked-keys`,
      })
    : undefined;
  const services = createServices({
    models,
    engine,
    ...(keyCache ? { keyCache } : {}),
    log,
    settings: { ...TEST_SERVICE_SETTINGS, ...overrides.services },
    ...(overrides.planning ? { planning: overrides.planning } : {}),
  });
  const app = await buildApp({
    log,
    registry: createMetricsRegistry('api-test'),
    checks: { mongo: async () => void (await connection.db?.admin().command({ ping: 1 })) },
    services,
    settings: {
      bodyLimitBytes: 1024 * 1024,
      rateLimitPerMinute: 100_000,
      authFailuresPerMinute: 100_000,
      adminApiKey: ADMIN_KEY,
      ...overrides.app,
    },
  });
  const violations: string[] = [];
  app.addHook('onSend', async (request, reply, payload) => {
    const declared = request.routeOptions.schema?.response as Record<string, TSchema> | undefined;
    if (!declared || !request.routeOptions.url) return payload;
    const where = `${request.method} ${request.routeOptions.url} -> ${reply.statusCode}`;
    const schema = declared[String(reply.statusCode)];
    if (!schema) {
      violations.push(`${where}: status not declared in the route's response schemas`);
      return payload;
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (reply.statusCode === 204 || !type.includes('json') || typeof payload !== 'string') return payload;
    const body: unknown = JSON.parse(payload);
    if (!Value.Check(sharedContext, schema, body)) {
      const errors = Value.Errors(sharedContext, schema, body)
        .slice(0, 5)
        .map((e) => `${e.instancePath} ${e.message}`);
      violations.push(`${where}: body does not match its schema: ${errors.join('; ')}: ${payload.slice(0, 500)}`);
    }
    return payload;
  });
  await app.ready();

  async function call(method: InjectOptions['method'], url: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    let payload = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    });
    const failed = violations.splice(0);
    if (failed.length > 0) throw new Error(`response schema violation:\n${failed.join('\n')}`);
    let body: unknown;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  }

  return {
    app,
    models,
    engine,
    services,
    env,
    logs,
    call,
    async newKey(tenantId) {
      const { key } = await services.apiKeys.create('test key', tenantId);
      return key;
    },
    async close() {
      await app.close();
      if (overrides.redisDown) engineRedis.disconnect();
      else await engine.outcomes.flush();
      await keyCache?.close();
      if (overrides.sharing) {
        await redis.quit().catch(() => redis.disconnect());
        await connection.close();
        return;
      }
      const keys = await redis.keys(`*${env.queuePrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit().catch(() => redis.disconnect());
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

/** A valid creation body, as the seed's curl command sends it, plus `extra`. */
export function scheduleBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Daily Backup',
    rrule: 'FREQ=DAILY;INTERVAL=1',
    callback_url: 'https://example.com/callback',
    ...extra,
  };
}

/** Set-up and tear-down touch the database and Redis on a shared 2-core machine: be generous. */
export const HOOK_TIMEOUT_MS = 60_000;

// Every test file of the API imports this module: the same generosity for each test.
jest.setTimeout(30_000);
