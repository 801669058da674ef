export type { Registry } from 'prom-client';
export type { HealthServerOptions, ReadinessCheck } from './health.js';
export { readiness, startHealthServer } from './health.js';
export { countDatabaseCommands, createMetricsRegistry } from './metrics.js';
export { retryUntil, StartupError } from './retry.js';
export type { BaseServiceConfig, RunServiceOptions, ServiceContext } from './run-service.js';
export { EXIT_CONFIG, runService } from './run-service.js';
export type { Shutdown, ShutdownStep } from './shutdown.js';
export { createShutdown } from './shutdown.js';
