import { LogConfig, loadConfig, MongoConfig, RedisConfig, ShutdownConfig, WorkerConfig } from '@event-scheduler/config';
import Type, { type Static } from 'typebox';
import type { DeliverySettings } from './delivery/batch.service.js';
import { parseStatusList } from './delivery/outcome.js';

export const WorkerServiceConfig = Type.Object({
  worker: WorkerConfig,
  mongo: MongoConfig,
  redis: RedisConfig,
  log: LogConfig,
  shutdown: ShutdownConfig,
});
export type WorkerServiceConfig = Static<typeof WorkerServiceConfig>;

export const loadWorkerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(WorkerServiceConfig, { env });

/** The delivery rules the `worker` section configures. */
export function deliverySettings(worker: WorkerServiceConfig['worker']): DeliverySettings {
  return {
    retryable4xx: parseStatusList(worker.retryable_4xx),
    retryAfterMaxMs: worker.retry_after_max_ms,
  };
}

/**
 * How long SIGTERM waits for batches in flight (held sends go at their instant): most of the shutdown deadline, leaving the rest
 * (at least 1 s, at most 5 s) to record aborted attempts and close connections, so the process
 * still exits 0.
 */
export function drainDeadlineMs(shutdownSeconds: number): number {
  const total = shutdownSeconds * 1000;
  return Math.max(0, total - Math.min(5000, Math.max(1000, total * 0.2)));
}
