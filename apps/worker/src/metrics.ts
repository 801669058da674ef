import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How a delivery job ended, the `outcome` label of `deliveries_total`. */
export type DeliveryOutcome = 'succeeded' | 'failed' | 'retry_scheduled' | 'cancelled' | 'skipped' | 'superseded';

export interface WorkerMetrics {
  deliveries: Counter<'outcome'>;
  attemptDuration: Histogram<'result'>;
  lateness: Histogram;
  inFlight: Gauge;
}

/** The worker's delivery metrics, registered on the registry its /metrics serves. */
export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return {
    deliveries: new Counter({
      name: 'deliveries_total',
      help: 'Sends by how they ended: succeeded, failed, retry_scheduled, cancelled, skipped, superseded',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'delivery_attempt_duration_seconds',
      help: 'Duration of one HTTP callback attempt, by result (success, retry, fail)',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    lateness: new Histogram({
      name: 'delivery_lateness_seconds',
      help: 'When the first attempt was written to its connection minus the scheduled time of the occurrence',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'deliveries_in_flight',
      help: 'HTTP callbacks being performed right now',
      registers: [registry],
    }),
  };
}
