import type { ReconcileOutcome, TickOutcome } from '@event-scheduler/planning';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface PrequeuerMetrics {
  tick(outcome: TickOutcome, seconds: number): void;
  reconciled(outcome: ReconcileOutcome): void;
  purged(count: number): void;
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
    name: 'reconciled_jobs_total',
    help: 'Jobs re-added by reconciliation after Redis lost them, by job (dispatch, deliver)',
    labelNames: ['job'],
    registers: [registry],
  });
  const purged = new Counter({
    name: 'archived_events_purged_total',
    help: 'Archived events deleted past their retention',
    registers: [registry],
  });
  return {
    tick(outcome, seconds) {
      tickDuration.observe(seconds);
      planned.inc(outcome.planned);
      completed.inc(outcome.completed);
    },
    reconciled(outcome) {
      readded.labels('dispatch').inc(outcome.dispatch);
      readded.labels('deliver').inc(outcome.deliver);
    },
    purged(count) {
      purged.inc(count);
    },
  };
}
