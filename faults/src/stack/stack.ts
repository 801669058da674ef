import { randomBytes } from 'node:crypto';
import { Api, expectStatus } from '../api/client.js';
import type { SuiteSettings } from '../settings.js';
import { type PrivateDatabase, startDatabase } from './ferretdb.js';
import { type PrivateRedis, startRedis } from './redis.js';
import { ROLES, type Role, type Service, startService } from './services.js';

export interface StackOptions {
  /** Processes per role; default one of each. */
  counts?: Partial<Record<Role, number>>;
  /** Redis with AOF and fsync on every write (a SIGKILL loses nothing). */
  aof?: boolean;
  /** Environment for every service, on top of the suite's (FAULTS_SERVICE_ENV still wins). */
  env?: Record<string, string>;
}

export interface Stack {
  dir: string;
  redis: PrivateRedis;
  database: PrivateDatabase;
  services: Service[];
  role(role: Role): Service[];
  /** A client of every API process, with a key per tenant: `a` (the dev key) and `b` (made through /admin). */
  api: Api;
  adminKey: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

const secret = (label: string) => `faults-${label}-${randomBytes(12).toString('hex')}`;

/** The suite's service configuration: production defaults, but short rules allowed and callbacks to loopback. */
function serviceEnv(settings: SuiteSettings, options: StackOptions, urls: { mongo: string; redis: string }) {
  return {
    MONGO_URL: urls.mongo,
    MONGO_DATABASE: 'faults',
    REDIS_URL: urls.redis,
    REDIS_QUEUE_PREFIX: 'faults',
    LOG_LEVEL: 'info',
    API_HOST: '127.0.0.1',
    API_MIN_INTERVAL_SECONDS: '1',
    // The harness's own reads (drain polls, the final collection) must not be limited; the key
    // guessing scenario sets the production default back.
    API_RATE_LIMIT_PER_MINUTE: '100000',
    // As the runs: a 1-minute planning window, so the prequeuer outage outlasts it.
    PREQUEUER_EVENT_TIMEFRAME_MINUTES: '1',
    WORKER_SSRF_ALLOW_LIST: '127.0.0.1/32',
    ...options.env,
    ...settings.serviceEnv,
  };
}

/**
 * A private system for one scenario: its own Redis, its own FerretDB and the four services (as
 * many of each as asked), every one a child process the scenario can kill, freeze or restart.
 */
export async function startStack(
  settings: SuiteSettings,
  options: StackOptions,
  { dir, postgresUrl, port }: { dir: string; postgresUrl?: string; port: () => Promise<number> },
): Promise<Stack> {
  const redis = await startRedis({ dir, aof: options.aof ?? false, port: await port() });
  const database = await startDatabase({ dir, binary: settings.ferretdb, postgresUrl, port: await port() });
  const keyA = secret('a');
  const adminKey = secret('admin');
  const env = {
    ...serviceEnv(settings, options, { mongo: database.url, redis: redis.url }),
    API_DEV_API_KEY: keyA,
    API_ADMIN_API_KEY: adminKey,
  };
  const services: Service[] = [];
  const start = async (role: Role, index: number) => {
    const service = await startService({ role, index, appsRoot: settings.appsRoot, env, dir, port: await port() });
    services.push(service);
    await service.ready();
  };
  const count = (role: Role) => options.counts?.[role] ?? 1;
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop(15_000)));
    await Promise.all([redis.stop(), database.stop()]);
  };
  try {
    // All at once: every service waits for its connections at start, and a start costs seconds.
    const all = ROLES.flatMap((role) => Array.from({ length: count(role) }, (_, i) => [role, i + 1] as const));
    await Promise.all(all.map(([role, index]) => start(role, index)));
  } catch (error) {
    await stop();
    throw error;
  }
  const bases = services.filter((s) => s.role === 'api').map((s) => `http://127.0.0.1:${s.port}`);
  const admin = new Api(bases, {});
  const created = expectStatus(
    await admin.call<{ key: string }>('POST', '/admin/api-keys', {
      headers: { 'x-admin-key': adminKey },
      body: { name: 'faults tenant b' },
    }),
    'create the second tenant',
    201,
  );
  return {
    dir,
    redis,
    database,
    services,
    role: (role) => services.filter((s) => s.role === role),
    api: new Api(bases, { a: keyA, b: created.key }),
    adminKey,
    env,
    stop,
  };
}
