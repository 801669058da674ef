import { LogConfig, loadConfig, MongoConfig, RedisConfig, ShutdownConfig, WorkerConfig } from '@event-scheduler/config';
import Type, { type Static } from 'typebox';

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
