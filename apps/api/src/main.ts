import { ensureIndexes, openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { createQueues, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService } from '@event-scheduler/runtime';
import { buildApp } from './app.js';
import { loadApiConfig, serviceSettings } from './config.js';
import { createServices } from './services/index.js';

runService({
  name: 'api',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadApiConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('api');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    await ensureIndexes(mongo);
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const queues = createQueues({ connection: redis, prefix: config.redis.queue_prefix });
    shutdown.add('queues', () => queues.close());

    const services = createServices({ models, queues, log, settings: serviceSettings(config) });
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
