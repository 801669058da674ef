import { collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry with the process metrics, every series labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
