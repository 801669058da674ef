import { openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { createQueues, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { systemClock } from '@event-scheduler/scheduling';
import { createArchiver } from './archiver.js';
import { loadDispatcherConfig } from './config.js';
import { createDispatchService } from './dispatch.service.js';
import { createDispatcherWorker, drainDispatcher } from './dispatcher.js';
import { createHandoff } from './handoff.js';
import { createDispatcherMetrics } from './metrics.js';

runService({
  name: 'dispatcher',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadDispatcherConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('dispatcher');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    const producer = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const consumer = await openRedis({ redis: config.redis, role: 'consumer', log, shutdown });
    const queues = createQueues({ connection: producer, prefix: config.redis.queue_prefix });
    shutdown.add('queues', () => queues.close());
    await startHealthServer({
      port: config.dispatcher.health_port,
      log,
      shutdown,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await producer.ping()) },
    });
    const service = createDispatchService({
      models,
      handoff: createHandoff(queues, log),
      archive: createArchiver(models, { log, clock: systemClock }),
      log,
      clock: systemClock,
      leadMs: config.dispatcher.lead_ms,
    });
    const worker = createDispatcherWorker({
      connection: consumer,
      prefix: config.redis.queue_prefix,
      service,
      log,
      metrics: createDispatcherMetrics(registry),
      concurrency: config.dispatcher.concurrency,
      lockDurationMs: config.dispatcher.lock_duration_ms,
      stalledIntervalMs: config.dispatcher.stalled_interval_ms,
    });
    const drainMs = Math.max(1000, config.shutdown.timeout_seconds * 1000 - 5000);
    shutdown.add('dispatcher worker', () => drainDispatcher(worker, drainMs, log));
    await worker.waitUntilReady();
    log.info({ concurrency: config.dispatcher.concurrency, leadMs: config.dispatcher.lead_ms }, 'dispatching');
  },
});
