import { Counter, Histogram, type Registry } from 'prom-client';
import type { DispatchOutcome } from './dispatch.service.js';

export interface DispatcherMetrics {
  /** Counts one finished dispatch job by its outcome, and the hand-off lateness of a dispatched one. */
  record(outcome: DispatchOutcome): void;
}

/** The dispatcher's metrics, registered on the registry its /metrics serves. */
export function createDispatcherMetrics(registry: Registry): DispatcherMetrics {
  const outcomes = new Counter({
    name: 'dispatch_jobs_total',
    help: 'ready_queue jobs by outcome: dispatched, cancelled, skipped, gone, too_early',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'dispatch_handoff_lateness_seconds',
    help: 'Hand-off of an occurrence to worker_queue minus its scheduled time',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  return {
    record(outcome) {
      outcomes.labels(outcome.kind).inc();
      if (outcome.kind === 'dispatched') lateness.observe(Math.max(0, outcome.latenessMs) / 1000);
    },
  };
}
