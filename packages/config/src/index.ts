export * from './fragments.js';
export type { ConfigIssue, LoadConfigOptions } from './load.js';
export { ConfigError, DEFAULT_CONFIG_FILE, envName, loadConfig } from './load.js';
export { redisConnectionOptions } from './redis.js';
export { type ConfigEntry, configEntries, configTable } from './table.js';
