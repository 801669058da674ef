/**
 * The whole system as it runs in production, for the console's end-to-end tests: the four built
 * services (apps/*\/dist) on this test file's own database and queue prefix, a loopback receiver
 * for the callbacks, and an admin key to make a fresh tenant's API key.
 */
import { connectMongo } from '@event-scheduler/models';
import {
  freePort,
  type Receiver,
  type ServiceProcess,
  spawnService,
  startReceiver,
  testServices,
} from '@event-scheduler/testing';

export interface Stack {
  /** `http://127.0.0.1:<port>` of the API. */
  apiUrl: string;
  receiver: Receiver;
  services: ServiceProcess[];
  /** A new API key of a new tenant (through the admin API). */
  newKey(): Promise<string>;
  stop(): Promise<(number | string)[]>;
}

const ADMIN_KEY = 'console-e2e-admin-key-0123456789';

export async function startStack(label: string): Promise<Stack> {
  const env = testServices(label);
  const receiver = await startReceiver();
  const [apiPort, prequeuerPort, dispatcherPort, workerPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  // The receiver listens on loopback, which the SSRF guard refuses unless allowed: the API checks
  // callback URLs when a schedule is saved, the worker every address it connects to.
  const common = { ...env.env, LOG_LEVEL: 'info', WORKER_SSRF_ALLOW_LIST: '127.0.0.1/32' };
  const services = [
    spawnService('api', {
      ...common,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_ADMIN_API_KEY: ADMIN_KEY,
    }),
    spawnService('prequeuer', {
      ...common,
      PREQUEUER_HEALTH_PORT: String(prequeuerPort),
      PREQUEUER_TICKER_INTERVAL_SECONDS: '2',
    }),
    spawnService('dispatcher', { ...common, DISPATCHER_HEALTH_PORT: String(dispatcherPort) }),
    spawnService('worker', {
      ...common,
      WORKER_HEALTH_PORT: String(workerPort),
    }),
  ];
  await Promise.all(services.map((s) => s.waitForLine(/"msg":"started"/, 60_000)));
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  return {
    apiUrl,
    receiver,
    services,
    async newKey() {
      const response = await fetch(`${apiUrl}/admin/api-keys`, {
        method: 'POST',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'console e2e' }),
      });
      if (response.status !== 201) throw new Error(`admin API answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { key: string }).key;
    },
    async stop() {
      const codes = await Promise.all(services.map((s) => s.stop()));
      await receiver.close();
      const connection = await connectMongo({ uri: env.mongoUrl, database: env.database });
      await connection.dropDatabase();
      await connection.close();
      return codes;
    },
  };
}
