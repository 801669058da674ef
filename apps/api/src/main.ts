import { redisConnectionOptions } from '@event-scheduler/config';
import { createEngine } from '@event-scheduler/engine';
import { ensureIndexes, openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { createRedis, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService } from '@event-scheduler/runtime';
import { buildApp } from './app.js';
import { loadApiConfig, serviceSettings } from './config.js';
import { createServices } from './services/index.js';
import { createKeyCache } from './services/key-cache.js';

runService({
  name: 'api',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadApiConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('api');
    // A request answers 503 within about a second and a half when the database is away (the
    // client retries; issue 15), rather than holding its connection for the driver's default.
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry, serverSelectionTimeoutMs: 1500 });
    const models = registerModels(mongo);
    await ensureIndexes(mongo);
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const engine = createEngine({
      models,
      redis,
      prefix: config.redis.queue_prefix,
      shards: config.redis.shards,
      log,
      windowMs: config.prequeuer.event_timeframe_minutes * 60_000,
      leadMs: config.dispatcher.lead_ms,
    });
    shutdown.add('batched outcomes', () => engine.outcomes.flush());
    const keyCache = await createKeyCache({
      publisher: redis,
      subscriber: createRedis({ connection: redisConnectionOptions(config.redis), role: 'consumer' }),
      channel: `${config.redis.queue_prefix}:revoked-keys`,
    });
    shutdown.add('key cache', () => keyCache.close());
    const services = createServices({ models, engine, keyCache, log, settings: serviceSettings(config) });
    if (config.api.dev_api_key) await services.apiKeys.ensureDevKey(config.api.dev_api_key);
    if (!config.api.admin_api_key) log.info('no admin key configured (api.admin_api_key): /admin is disabled');

    const app = await buildApp({
      log,
      registry,
      services,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
      settings: {
        bodyLimitBytes: config.api.body_limit_bytes,
        rateLimitPerMinute: config.api.rate_limit_per_minute,
        authFailuresPerMinute: config.api.auth_failures_per_minute,
        adminApiKey: config.api.admin_api_key,
        rateLimitRedis: redis,
        rateLimitNamespace: `${config.redis.queue_prefix}-rate-limit-`,
      },
    });
    shutdown.add('http', () => app.close());
    await app.listen({ host: config.api.host, port: config.api.port });
  },
});
