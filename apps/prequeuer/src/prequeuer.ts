import type { Logger } from '@event-scheduler/logging';
import { type Models, purgeArchivedEvents } from '@event-scheduler/models';
import { planningTick, reconcile } from '@event-scheduler/planning';
import type { createRedis, QueueSet } from '@event-scheduler/queues';
import type { Clock } from '@event-scheduler/scheduling';
import type { PrequeuerServiceConfig } from './config.js';
import { every, type Loop } from './loop.js';
import type { PrequeuerMetrics } from './metrics.js';

export interface PrequeuerDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  queues: QueueSet;
  /** The producer connection under `queues` (reconciliation reads job keys through it). */
  redis: ReturnType<typeof createRedis>;
  log: Logger;
  clock: Clock;
  settings: PrequeuerServiceConfig['prequeuer'];
  /** The dispatcher's lead (dispatcher.lead_ms): ready_queue jobs are delayed until due minus this. */
  leadMs: number;
  metrics: PrequeuerMetrics;
}

export interface Prequeuer {
  stop(): Promise<void>;
}

/**
 * The prequeuer's three periodic jobs, each in its own loop:
 * - the tick plans every schedule whose next run falls inside the window;
 * - reconciliation re-adds the jobs Redis lost;
 * - the purge deletes archived events past their retention.
 * All three are idempotent, so any number of prequeuers may run at once.
 */
export function startPrequeuer(deps: PrequeuerDeps): Prequeuer {
  const { models, queues, redis, log, clock, settings, leadMs, metrics } = deps;
  const windowMs = settings.event_timeframe_minutes * 60_000;
  const tick = async () => {
    const started = performance.now();
    const outcome = await planningTick({
      models,
      queues,
      log,
      clock,
      windowMs,
      leadMs,
      batchSize: settings.tick_batch_size,
    });
    const ms = Math.round(performance.now() - started);
    metrics.tick(outcome, ms / 1000);
    if (outcome.schedules > 0) log.info({ ...outcome, ms }, 'tick planned');
    else log.debug({ ms }, 'tick: nothing due');
  };
  const reconcileOnce = async () => {
    const outcome = await reconcile({
      models,
      queues,
      redis,
      log,
      clock,
      leadMs,
      dispatchedAfterMs: settings.reconcile_dispatched_after_seconds * 1000,
    });
    metrics.reconciled(outcome);
    log.debug(outcome, 'reconciled');
  };
  const purge = async () => {
    const cutoff = new Date(clock().getTime() - settings.archive_retention_days * 86_400_000);
    const deleted = await purgeArchivedEvents(models, cutoff);
    metrics.purged(deleted);
    if (deleted > 0) log.info({ deleted, cutoff }, 'archived events purged');
  };
  const loops: Loop[] = [
    every('tick', settings.ticker_interval_seconds * 1000, tick, log),
    every('reconcile', settings.reconcile_interval_seconds * 1000, reconcileOnce, log),
    every('purge', settings.purge_interval_seconds * 1000, purge, log),
  ];
  return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
}
