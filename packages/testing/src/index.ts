export type { TestServices } from './context.js';
export { testServices } from './context.js';
export type { AppName, ServiceProcess } from './processes.js';
export { freePort, killOnExit, metricSum, REPO_ROOT, spawnService } from './processes.js';
export type { ReceivedRequest, Receiver, Reply } from './receiver.js';
export { startReceiver } from './receiver.js';
