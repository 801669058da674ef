import { openMongo, pingMongo } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService } from '@event-scheduler/runtime';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

runService({
  name: 'api',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadApiConfig,
  async start({ config, log, shutdown }) {
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown });
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });

    const registry = createMetricsRegistry('api');
    const app = await buildApp({
      log,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
    shutdown.add('http', () => app.close());
    await app.listen({ host: config.api.host, port: config.api.port });
  },
});
