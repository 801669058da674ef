import { openMongo, pingMongo } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { loadWorkerConfig } from './config.js';

runService({
  name: 'worker',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadWorkerConfig,
  async start({ config, log, shutdown }) {
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown });
    const redis = await openRedis({ redis: config.redis, role: 'consumer', log, shutdown });
    await startHealthServer({
      port: config.worker.health_port,
      log,
      shutdown,
      registry: createMetricsRegistry('worker'),
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
  },
});
