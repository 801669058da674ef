import {
  DispatcherConfig,
  LogConfig,
  loadConfig,
  MongoConfig,
  PrequeuerConfig,
  RedisConfig,
  ShutdownConfig,
} from '@event-scheduler/config';
import Type, { type Static } from 'typebox';

export const PrequeuerServiceConfig = Type.Object({
  prequeuer: PrequeuerConfig,
  /** Read for `lead_ms`: planning checks for re-created events due within it. */
  dispatcher: DispatcherConfig,
  mongo: MongoConfig,
  redis: RedisConfig,
  log: LogConfig,
  shutdown: ShutdownConfig,
});
export type PrequeuerServiceConfig = Static<typeof PrequeuerServiceConfig>;

export const loadPrequeuerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(PrequeuerServiceConfig, { env });
