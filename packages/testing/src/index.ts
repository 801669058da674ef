export type { TestServices } from './context.js';
export { testServices } from './context.js';
export type { AppName, ServiceProcess } from './processes.js';
export { freePort, REPO_ROOT, spawnService } from './processes.js';
