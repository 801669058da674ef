import { createEngine } from '@event-scheduler/engine';
import { ensureIndexes, openMongo, pingMongo, registerModels } from '@event-scheduler/models';
import { openRedis } from '@event-scheduler/queues';
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
    await ensureIndexes(mongo);
    // Create every collection now, not on a first insert under load: FerretDB v1 deadlocks when many
    // connections create one implicitly at once.
    for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
    const redis = await openRedis({ redis: config.redis, role: 'producer', log, shutdown });
    await startHealthServer({
      port: config.prequeuer.health_port,
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
      windowMs: config.prequeuer.event_timeframe_minutes * 60_000,
      leadMs: config.dispatcher.lead_ms,
    });
    const prequeuer = startPrequeuer({
      engine,
      log,
      clock: systemClock,
      settings: config.prequeuer,
      metrics: createPrequeuerMetrics(registry),
    });
    shutdown.add('prequeuer loops', () => prequeuer.stop());
    log.info(
      {
        tickSeconds: config.prequeuer.ticker_interval_seconds,
        windowMinutes: config.prequeuer.event_timeframe_minutes,
      },
      'planning',
    );
  },
});
