import { ApiConfig, LogConfig, loadConfig, MongoConfig, RedisConfig, ShutdownConfig } from '@event-scheduler/config';
import Type, { type Static } from 'typebox';

export const ApiServiceConfig = Type.Object({
  api: ApiConfig,
  mongo: MongoConfig,
  redis: RedisConfig,
  log: LogConfig,
  shutdown: ShutdownConfig,
});
export type ApiServiceConfig = Static<typeof ApiServiceConfig>;

export const loadApiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(ApiServiceConfig, { env });
