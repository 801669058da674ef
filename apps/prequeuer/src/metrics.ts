import type { ReconcileOutcome, TickOutcome } from '@event-scheduler/engine';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface PrequeuerMetrics {
  tick(outcome: TickOutcome, seconds: number): void;
  reconciled(outcome: ReconcileOutcome): void;
  epochLost(shards: number): void;
  purged(archived: number, live: number): void;
}

/** The prequeuer's metrics, registered on the registry its /metrics serves. */
export function createPrequeuerMetrics(registry: Registry): PrequeuerMetrics {
  const tickDuration = new Histogram({
    name: 'planning_tick_duration_seconds',
    help: 'Duration of one planning tick',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const planned = new Counter({
    name: 'planned_events_total',
    help: 'Events created by planning ticks',
    registers: [registry],
  });
  const completed = new Counter({
    name: 'schedules_completed_total',
    help: 'Schedules whose rule ran out of occurrences',
    registers: [registry],
  });
  const readded = new Counter({
    name: 'reconciled_sends_total',
    help: 'Sends re-added to the plan by reconciliation after Redis lost them',
    registers: [registry],
  });
  const epochs = new Counter({
    name: 'redis_data_lost_total',
    help: 'Times a shard of the plan was found wiped (its epoch key gone) and rebuilt',
    registers: [registry],
  });
  const purged = new Counter({
    name: 'events_purged_total',
    help: 'Events deleted by the purge: archived ones past their retention, live copies of finished ones',
    labelNames: ['collection'],
    registers: [registry],
  });
  return {
    tick(outcome, seconds) {
      tickDuration.observe(seconds);
      planned.inc(outcome.planned);
      completed.inc(outcome.completed);
    },
    reconciled(outcome) {
      readded.inc(outcome.readded);
    },
    epochLost(shards) {
      epochs.inc(shards);
    },
    purged(archived, live) {
      purged.labels('archived_events').inc(archived);
      purged.labels('events').inc(live);
    },
  };
}
