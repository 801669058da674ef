import { redisConnectionOptions } from '@event-scheduler/config';
import { createEngine, createRuntimeStore, subscribeChanges } from '@event-scheduler/engine';
import { openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { createRedis, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { deliverySettings, drainDeadlineMs, loadWorkerConfig } from './config.js';
import { createBatchService } from './delivery/batch.service.js';
import { createOverlapGuard } from './delivery/overlap.js';
import { createSecretStore } from './delivery/signing.js';
import { createWorkerMetrics } from './metrics.js';
import { createSender, parseAllowList } from './send/index.js';
import { createDeliveryWorker, drainWorkers } from './worker.js';

runService({
  name: 'worker',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadWorkerConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('worker');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    const producer = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const consumer = await openRedis({ redis: config.redis, role: 'consumer', log, shutdown });
    const engine = createEngine({
      models,
      redis: producer,
      prefix: config.redis.queue_prefix,
      shards: config.redis.shards,
      log,
      windowMs: 0,
      leadMs: 0,
    });
    shutdown.add('batched outcomes', () => engine.outcomes.flush());
    const sender = createSender({
      allowList: parseAllowList(config.worker.ssrf_allow_list),
      capBytes: config.worker.response_cap_bytes,
      snippetBytes: config.worker.snippet_bytes,
      followRedirects: config.worker.follow_redirects,
    });
    shutdown.add('callback connections', () => sender.close());
    const service = createBatchService({
      engine,
      runtime: createRuntimeStore(producer, engine.keys),
      sender,
      secrets: createSecretStore({ models }),
      overlap: createOverlapGuard(producer, engine.keys),
      metrics: createWorkerMetrics(registry),
      log,
      settings: deliverySettings(config.worker),
    });
    shutdown.add('batched runtime facts', () => service.flush());
    // Announced schedule changes stop the sends this worker holds at once.
    const subscriber = createRedis({ connection: redisConnectionOptions(config.redis), role: 'consumer' });
    const unsubscribe = await subscribeChanges(
      subscriber,
      engine.keys,
      (change) => void service.onChange(change).catch((error) => log.error({ err: error }, 'applying a change failed')),
      () => void service.recheck().catch((error) => log.error({ err: error }, 're-checking held sends failed')),
    );
    shutdown.add('change subscription', unsubscribe);
    await startHealthServer({
      port: config.worker.health_port,
      log,
      shutdown,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await producer.ping()) },
    });
    const workers = Array.from({ length: engine.keys.shards }, (_, shard) =>
      createDeliveryWorker({
        connection: consumer,
        prefix: engine.keys.queuePrefix(shard),
        service,
        log,
        concurrency: config.worker.count,
        lockDurationMs: config.worker.lock_duration_ms,
        stalledIntervalMs: config.worker.stalled_interval_ms,
        maxStalledCount: config.worker.max_stalled_count,
      }),
    );
    shutdown.add('workers', () => drainWorkers(workers, drainDeadlineMs(config.shutdown.timeout_seconds), log));
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    log.info(
      { batches: config.worker.count, ssrfAllowList: config.worker.ssrf_allow_list || null },
      'delivering callbacks',
    );
  },
});
