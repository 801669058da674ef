import {
  DispatcherConfig,
  LogConfig,
  loadConfig,
  MongoConfig,
  RedisConfig,
  ShutdownConfig,
} from '@event-scheduler/config';
import Type, { type Static } from 'typebox';

export const DispatcherServiceConfig = Type.Object({
  dispatcher: DispatcherConfig,
  mongo: MongoConfig,
  redis: RedisConfig,
  log: LogConfig,
  shutdown: ShutdownConfig,
});
export type DispatcherServiceConfig = Static<typeof DispatcherServiceConfig>;

export const loadDispatcherConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(DispatcherServiceConfig, { env });
