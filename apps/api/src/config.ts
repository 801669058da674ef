import { defaultRetryPolicy } from '@event-scheduler/callback';
import {
  ApiConfig,
  DispatcherConfig,
  LogConfig,
  loadConfig,
  MongoConfig,
  PrequeuerConfig,
  RedisConfig,
  ShutdownConfig,
  WorkerConfig,
} from '@event-scheduler/config';
import Type, { type Static } from 'typebox';
import type { ServiceSettings } from './services/index.js';

/**
 * The API reads the planning window (prequeuer), the dispatcher lead and the default retry count
 * (worker) too: it plans near occurrences itself, with the same settings as the services; and the
 * worker's SSRF allow list, to refuse callback URLs the worker would never call.
 */
export const ApiServiceConfig = Type.Object({
  api: ApiConfig,
  mongo: MongoConfig,
  redis: RedisConfig,
  log: LogConfig,
  shutdown: ShutdownConfig,
  prequeuer: PrequeuerConfig,
  dispatcher: DispatcherConfig,
  worker: WorkerConfig,
});
export type ApiServiceConfig = Static<typeof ApiServiceConfig>;

export const loadApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(ApiServiceConfig, { env });

export function serviceSettings(config: Readonly<ApiServiceConfig>): ServiceSettings {
  return {
    minIntervalSeconds: config.api.min_interval_seconds,
    backfillMaxOccurrences: config.api.backfill_max_occurrences,
    signingSecretOverlapMs: config.api.signing_secret_overlap_hours * 3_600_000,
    defaultMaxAttempts: defaultRetryPolicy(config.worker.max_retries).max_attempts,
    ssrfAllowList: config.worker.ssrf_allow_list,
  };
}
