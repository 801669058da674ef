import { openMongo, pingMongo } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { loadPrequeuerConfig } from './config.js';

runService({
  name: 'prequeuer',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadPrequeuerConfig,
  async start({ config, log, shutdown }) {
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown });
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    await startHealthServer({
      port: config.prequeuer.health_port,
      log,
      shutdown,
      registry: createMetricsRegistry('prequeuer'),
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
  },
});
