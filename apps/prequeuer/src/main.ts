import { ensureIndexes, openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { createQueues, openRedis } from '@event-scheduler/queues';
import { createMetricsRegistry, runService, startHealthServer } from '@event-scheduler/runtime';
import { systemClock } from '@event-scheduler/scheduling';
import { loadPrequeuerConfig } from './config.js';
import { createPrequeuerMetrics } from './metrics.js';
import { startPrequeuer } from './prequeuer.js';

runService({
  name: 'prequeuer',
  packageJson: new URL('../package.json', import.meta.url),
  loadConfig: loadPrequeuerConfig,
  async start({ config, log, shutdown }) {
    const registry = createMetricsRegistry('prequeuer');
    const mongo = await openMongo({ mongo: config.mongo, log, shutdown, registry });
    const models = registerModels(mongo);
    // The unique (schedule_id, occurrence_at) index is what makes planning idempotent: never plan without it.
    await ensureIndexes(mongo);
    // Create every collection now, not on a first insert under load: FerretDB v1 deadlocks when many
    // connections create one implicitly at once.
    for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    const queues = createQueues({ connection: redis, prefix: config.redis.queue_prefix });
    shutdown.add('queues', () => queues.close());
    await startHealthServer({
      port: config.prequeuer.health_port,
      log,
      shutdown,
      registry,
      checks: { mongo: () => pingMongo(mongo), redis: async () => void (await redis.ping()) },
    });
    const prequeuer = startPrequeuer({
      models,
      queues,
      redis,
      log,
      clock: systemClock,
      settings: config.prequeuer,
      leadMs: config.dispatcher.lead_ms,
      metrics: createPrequeuerMetrics(registry),
    });
    shutdown.add('prequeuer loops', () => prequeuer.stop());
    log.info(
      {
        tickSeconds: config.prequeuer.ticker_interval_seconds,
        windowMinutes: config.prequeuer.event_timeframe_minutes,
        leadMs: config.dispatcher.lead_ms,
      },
      'planning',
    );
  },
});
