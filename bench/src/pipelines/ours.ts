import { createLogger } from '@event-scheduler/logging';
import { ensureIndexes, openMongo, registerModels } from '@event-scheduler/models';
import { compileRule } from '@event-scheduler/scheduling';
import { type AppName, freePort, type ServiceProcess, spawnService } from '@event-scheduler/testing';
import { Types } from 'mongoose';
import type { Pipeline } from '../lib/delivery-run.js';
import { scrapeDataCommands, scrapeGauge, scrapeHistogram, waitReady } from '../lib/process-stats.js';
import { benchPlanDoc, benchScheduleDoc } from '../lib/seed.js';

const API_KEY = 'bench-api-key-000000000000';

function dtstartOf(t0: number): string {
  return new Date(t0)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Creates `rate` schedules through the API, 32 requests in flight. */
async function createThroughApi(
  base: string,
  { rate, seconds, t0, receiverUrl }: { rate: number; seconds: number; t0: number; receiverUrl: string },
): Promise<void> {
  const body = (i: number) =>
    JSON.stringify({
      name: `bench ${t0} ${i}`,
      rrule: `DTSTART:${dtstartOf(t0)}\nRRULE:FREQ=SECONDLY;COUNT=${seconds}`,
      callback_url: `${receiverUrl}/cb`,
      misfire_policy: 'fire_all',
      misfire_grace_seconds: 3600,
    });
  let next = 0;
  const lane = async () => {
    while (next < rate) {
      const i = next++;
      const response = await fetch(`${base}/api/schedules`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: body(i),
      });
      if (response.status !== 201)
        throw new Error(`POST /api/schedules answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
}

const silent = createLogger({ service: 'bench', level: 'silent' });

/**
 * Our pipeline: prequeuer, dispatcher and worker as separate processes (as deployed) on the
 * benchmark's private Redis and its own database. Each run seeds `rate` schedules straight into
 * MongoDB through the driver's bulk insert, every one `FREQ=SECONDLY;COUNT=<seconds>` from t0,
 * calling back the benchmark's receiver; the services plan, dispatch and deliver them.
 */
export async function startOurs({
  redisUrl,
  receiverUrl,
  workers = 1,
  dispatchers = 1,
  via = 'seed',
}: {
  redisUrl: string;
  receiverUrl: string;
  smoke?: boolean;
  workers?: number;
  dispatchers?: number;
  /** `seed`: bulk-insert schedules through the driver; `api`: create each through POST /api/schedules. */
  via?: 'seed' | 'api';
}): Promise<Pipeline & { stop(): Promise<void> }> {
  const mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) throw new Error('MONGO_URL must be set (run through scripts/bench.sh)');
  // Fresh names per start: a pipeline restarted after a failed run leaves its backlog behind.
  const database = `bench_ours_${Date.now()}`;
  const env = {
    MONGO_URL: mongoUrl,
    MONGO_DATABASE: database,
    REDIS_URL: redisUrl,
    REDIS_QUEUE_PREFIX: database,
    LOG_LEVEL: 'warn',
    PREQUEUER_TICKER_INTERVAL_SECONDS: '1',
    PREQUEUER_EVENT_TIMEFRAME_MINUTES: '1',
    WORKER_SSRF_ALLOW_LIST: '127.0.0.1/32',
    WORKER_COUNT: '50',
    API_DEV_API_KEY: API_KEY,
    API_MIN_INTERVAL_SECONDS: '1',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const shutdown = { add() {} };
  const connection = await openMongo({
    mongo: { uri: mongoUrl, database, connect_timeout_seconds: 10 },
    log: silent,
    shutdown,
  });
  const models = registerModels(connection);
  await ensureIndexes(connection);

  const services: Partial<Record<string, { process: ServiceProcess; port: number }>> = {};
  const apps: [string, AppName, string][] = [
    ['prequeuer', 'prequeuer', 'PREQUEUER_HEALTH_PORT'],
    ...Array.from({ length: dispatchers }, (_, i): [string, AppName, string] => [
      i === 0 ? 'dispatcher' : `dispatcher${i + 1}`,
      'dispatcher',
      'DISPATCHER_HEALTH_PORT',
    ]),
    ...(via === 'api' ? [['api', 'api', 'API_PORT'] as [string, AppName, string]] : []),
    ...Array.from({ length: workers }, (_, i): [string, AppName, string] => [
      `worker${i + 1}`,
      'worker',
      'WORKER_HEALTH_PORT',
    ]),
  ];
  for (const [name, app, portVariable] of apps) {
    const port = await freePort();
    const process = spawnService(app, { ...env, [portVariable]: String(port) });
    services[name] = { process, port };
  }
  for (const service of Object.values(services)) if (service) await waitReady(service.port, service.process);

  return {
    name: 'ours',
    pids: () => Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s?.process.child.pid ?? -1])),
    async schedule({ rate, seconds, t0 }) {
      if (via === 'api')
        return createThroughApi(`http://127.0.0.1:${services.api?.port}`, { rate, seconds, t0, receiverUrl });
      const compiled = compileRule(
        { text: `DTSTART:${dtstartOf(t0)}\nRRULE:FREQ=SECONDLY;COUNT=${seconds}`, timezone: 'UTC', now: new Date() },
        { minIntervalSeconds: 1 },
      );
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
      const now = new Date();
      const docs = Array.from({ length: rate }, (_, i) => ({
        _id: new Types.ObjectId(),
        ...benchScheduleDoc(
          {
            name: `bench ${t0} ${i}`,
            rrule: compiled.rule.text,
            callback_url: `${receiverUrl}/cb`,
            retry_policy: { max_attempts: 3, min_backoff_ms: 1000, max_backoff_ms: 10_000 },
            misfire_policy: 'fire_all',
            misfire_grace_seconds: 3600,
            not_before: new Date(t0 - 1000),
          },
          now,
        ),
      }));
      for (let i = 0; i < docs.length; i += 5000) {
        const chunk = docs.slice(i, i + 5000);
        await models.schedules.collection.insertMany(chunk);
        await models.schedulePlans.collection.insertMany(chunk.map((d) => benchPlanDoc(d, new Date(t0), now)) as never);
      }
    },
    async eventLoopP99() {
      const entries = await Promise.all(
        Object.entries(services).map(async ([name, s]) => [
          name,
          (await scrapeGauge(`http://127.0.0.1:${s?.port}/metrics`, 'nodejs_eventloop_lag_p99_seconds').catch(
            () => Number.NaN,
          )) * 1000,
        ]),
      );
      return Object.fromEntries(entries);
    },
    async sendLateness() {
      const all = await Promise.all(
        Object.entries(services)
          .filter(([name]) => name.startsWith('worker'))
          .map(([, s]) => scrapeHistogram(`http://127.0.0.1:${s?.port}/metrics`, 'delivery_lateness_seconds')),
      );
      const merged = new Map<number, number>();
      for (const buckets of all) for (const [le, n] of buckets) merged.set(le, (merged.get(le) ?? 0) + n);
      return merged;
    },
    async databaseCommands() {
      const entries = await Promise.all(
        Object.entries(services).map(async ([name, s]) => {
          const counts = await scrapeDataCommands(`http://127.0.0.1:${s?.port}/metrics`);
          return Object.entries(counts).map(([command, n]): [string, number] => [`${name}.${command}`, n]);
        }),
      );
      return Object.fromEntries(entries.flat());
    },
    async stop() {
      for (const service of Object.values(services)) await service?.process.stop('SIGTERM');
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
