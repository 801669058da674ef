import { parseAllowList } from '@event-scheduler/callback';
import { openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { cancelPlannedEvents } from '@event-scheduler/planning';
import { createQueues, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { deliverySettings, drainDeadlineMs, loadWorkerConfig } from './config.js';
import { createDeliveryService } from './delivery/delivery.service.js';
import { createGuardedAgents } from './delivery/ssrf-guard.js';
import { createWorkerMetrics } from './metrics.js';
import { createDeliveryWorker, drainWorker } from './worker.js';

runService({
  name: 'worker',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadWorkerConfig,
  async start({ config, log, shutdown }) {
    const allowList = parseAllowList(config.worker.ssrf_allow_list);
    const registry = createMetricsRegistry('worker');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    const producer = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const consumer = await openRedis({ redis: config.redis, role: 'consumer', log, shutdown });
    const queues = createQueues({ connection: producer, prefix: config.redis.queue_prefix });
    shutdown.add('queues', () => queues.close());
    const agents = createGuardedAgents(allowList);
    shutdown.add('callback connections', () => agents.destroy());
    const service = createDeliveryService({
      models,
      queues,
      agents,
      log,
      metrics: createWorkerMetrics(registry),
      settings: deliverySettings(config.worker),
      cancelPlanned: cancelPlannedEvents,
    });
    shutdown.add('batched status writes', () => service.flush());
    await startHealthServer({
      port: config.worker.health_port,
      log,
      shutdown,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await producer.ping()) },
    });
    const worker = createDeliveryWorker({
      connection: consumer,
      prefix: config.redis.queue_prefix,
      service,
      log,
      concurrency: config.worker.count,
      lockDurationMs: config.worker.lock_duration_ms,
      stalledIntervalMs: config.worker.stalled_interval_ms,
      maxStalledCount: config.worker.max_stalled_count,
    });
    shutdown.add('worker', () => drainWorker(worker, drainDeadlineMs(config.shutdown.timeout_seconds), log));
    await worker.waitUntilReady();
    log.info(
      { concurrency: config.worker.count, ssrfAllowList: config.worker.ssrf_allow_list || null },
      'delivering callbacks',
    );
  },
});
