import { createDispatch, createEngine, WORKER_QUEUE } from '@event-scheduler/engine';
import { openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { Queue } from 'bullmq';
import { loadDispatcherConfig } from './config.js';
import { startDispatcher } from './dispatcher.js';
import { createDispatcherMetrics } from './metrics.js';

/** Sends taken per shard and pass: a burst larger than this is taken over several passes, back to back. */
const TAKE_LIMIT = 5000;

runService({
  name: 'dispatcher',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadDispatcherConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('dispatcher');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    await startHealthServer({
      port: config.dispatcher.health_port,
      log,
      shutdown,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
    const engine = createEngine({
      models,
      redis,
      prefix: config.redis.queue_prefix,
      shards: config.redis.shards,
      log,
      windowMs: 0,
      leadMs: config.dispatcher.lead_ms,
    });
    const queues = Array.from(
      { length: engine.keys.shards },
      (_, shard) => new Queue(WORKER_QUEUE, { connection: redis, prefix: engine.keys.queuePrefix(shard) }),
    );
    shutdown.add('queues', () => Promise.all(queues.map((q) => q.close())).then(() => undefined));
    const dispatch = createDispatch(engine, (shard) => queues[shard] as Queue, {
      batchSize: config.dispatcher.batch_size,
      leaseMs: config.dispatcher.lease_ms,
      takeLimit: TAKE_LIMIT,
    });
    const loop = startDispatcher({
      dispatch,
      shards: engine.keys.shards,
      pollMs: config.dispatcher.poll_interval_ms,
      takeLimit: TAKE_LIMIT,
      log,
      metrics: createDispatcherMetrics(registry),
    });
    shutdown.add('dispatch loop', async () => {
      await loop.stop();
      await engine.outcomes.flush();
    });
    log.info({ leadMs: config.dispatcher.lead_ms, batchSize: config.dispatcher.batch_size }, 'dispatching');
  },
});
