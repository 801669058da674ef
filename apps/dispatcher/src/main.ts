import { openMongo, pingMongo } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { loadDispatcherConfig } from './config.js';

runService({
  name: 'dispatcher',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadDispatcherConfig,
  async start({ config, log, shutdown }) {
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown });
    const redis = await openRedis({ redis: config.redis, role: 'consumer', log, shutdown });
    await startHealthServer({
      port: config.dispatcher.health_port,
      log,
      shutdown,
      registry: createMetricsRegistry('dispatcher'),
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
  },
});
