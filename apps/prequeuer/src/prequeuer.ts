import { type Engine, ensurePlans, lostShards, planningTick, reconcile, WORKER_QUEUE } from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import {
  deleteLiveEventsIn,
  findArchivedIds,
  findLiveEventsBefore,
  purgeArchivedEvents,
} from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';
import type { PrequeuerServiceConfig } from './config.js';
import { every, type Loop } from './loop.js';
import type { PrequeuerMetrics } from './metrics.js';

export interface PrequeuerDeps {
  engine: Engine;
  log: Logger;
  clock: Clock;
  settings: PrequeuerServiceConfig['prequeuer'];
  metrics: PrequeuerMetrics;
}

export interface Prequeuer {
  stop(): Promise<void>;
}

/** Live copies purged per run; the rest wait for the next. */
const PURGE_BATCH = 5000;
/**
 * Sends that may have been in flight when Redis lost its data: due from a minute before the
 * epoch was last seen (a worker holds a send at most its callback timeout past its instant)
 * to a few seconds after the loss was noticed (dispatchers hand batches over ahead of their
 * instant). Re-added as the next attempt, so x-attempt never repeats; one that was in fact not
 * sent shows an attempt "lost with its worker" in its history.
 */
const IN_FLIGHT_BEFORE_MS = 60_000;
const IN_FLIGHT_AHEAD_MS = 5_000;

/**
 * The prequeuer's periodic jobs, each in its own loop:
 * - the tick plans every schedule whose next run comes within half the window;
 * - reconciliation re-adds the sends Redis lost, and starts the plan of a schedule version the
 *   API stored but could not plan (it crashed in between);
 * - the epoch check notices at once that Redis lost its data, and reconciles without waiting;
 * - the purge deletes live copies of finished events, and archived events past their retention.
 * All are idempotent, so any number of prequeuers may run at once.
 */
export function startPrequeuer(deps: PrequeuerDeps): Prequeuer {
  const { engine, log, clock, settings, metrics } = deps;
  const tick = async () => {
    const started = performance.now();
    const outcome = await planningTick(engine, { clock, batchSize: settings.tick_batch_size });
    const ms = Math.round(performance.now() - started);
    metrics.tick(outcome, ms / 1000);
    if (outcome.schedules > 0 || outcome.dropped > 0) log.info({ ...outcome, ms }, 'tick planned');
    else log.debug({ ms }, 'tick: nothing due');
  };
  let lastPlanCheck = new Date(0);
  const reconcileOnce = async (inFlight?: { from: number; to: number }) => {
    const now = clock();
    const started = await ensurePlans(engine, new Date(lastPlanCheck.getTime() - 60_000), now);
    lastPlanCheck = now;
    if (started > 0) log.warn({ started }, 'started plans the API had not');
    const outcome = await reconcile(engine, WORKER_QUEUE, inFlight ? { immediate: true, inFlight } : {});
    metrics.reconciled(outcome);
    log.debug(outcome, 'reconciled');
  };
  /** When the epoch was last seen in place: Redis lost its data after it. */
  let intactAt: number | null = null;
  const epoch = async () => {
    const checkedAt = clock().getTime();
    const lost = await lostShards(engine.redis, engine.keys);
    if (lost.length === 0) {
      intactAt = checkedAt;
      return;
    }
    log.warn({ shards: lost }, 'redis lost its data (epoch gone): rebuilding the plan');
    metrics.epochLost(lost.length);
    // Workers may have held, and fired, sends due around the loss: those go again as the next attempt.
    const lostAfter = intactAt ?? checkedAt;
    await reconcileOnce({ from: lostAfter - IN_FLIGHT_BEFORE_MS, to: clock().getTime() + IN_FLIGHT_AHEAD_MS });
    intactAt = clock().getTime();
  };
  const purge = async () => {
    const now = clock().getTime();
    const candidates = await findLiveEventsBefore(
      engine.models,
      new Date(now - settings.live_retention_minutes * 60_000),
      PURGE_BATCH,
    );
    const finished = await findArchivedIds(engine.models, candidates);
    const live = await deleteLiveEventsIn(
      engine.models,
      candidates.filter((id) => finished.has(id.toHexString())),
    );
    const archived = await purgeArchivedEvents(
      engine.models,
      new Date(now - settings.archive_retention_days * 86_400_000),
    );
    metrics.purged(archived, live);
    if (archived + live > 0) log.info({ archived, live }, 'purged');
  };
  const loops: Loop[] = [
    every('tick', settings.ticker_interval_seconds * 1000, tick, log),
    every('epoch', settings.epoch_check_interval_seconds * 1000, epoch, log),
    every('reconcile', settings.reconcile_interval_seconds * 1000, () => reconcileOnce(), log),
    every('purge', settings.purge_interval_seconds * 1000, purge, log),
  ];
  return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
}
