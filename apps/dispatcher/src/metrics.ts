import type { DispatchPass } from '@event-scheduler/engine';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface DispatcherMetrics {
  /** Counts one pass's sends by outcome, and the hand-off time of each dispatched one. */
  record(pass: DispatchPass): void;
}

/** The dispatcher's metrics, registered on the registry its /metrics serves. */
export function createDispatcherMetrics(registry: Registry): DispatcherMetrics {
  const outcomes = new Counter({
    name: 'dispatch_sends_total',
    help: 'Sends taken from the plan, by outcome: dispatched, cancelled, skipped',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const batches = new Counter({
    name: 'dispatch_batches_total',
    help: 'Batch jobs handed to workers',
    registers: [registry],
  });
  const ahead = new Histogram({
    name: 'dispatch_handoff_lead_seconds',
    help: 'How long before its due instant a send was handed to a worker (negative: after it)',
    buckets: [-30, -5, -1, -0.25, -0.1, -0.01, 0, 0.1, 0.25, 0.5, 1, 1.5, 2, 5],
    registers: [registry],
  });
  return {
    record(pass) {
      if (pass.taken === 0) return;
      outcomes.labels('dispatched').inc(pass.dispatched);
      outcomes.labels('cancelled').inc(pass.cancelled);
      outcomes.labels('skipped').inc(pass.skipped);
      batches.inc(pass.batches);
      for (const ms of pass.handoffMs) ahead.observe(-ms / 1000);
    },
  };
}
