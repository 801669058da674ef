import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Exit, type Proc, StopWaiting, startProc, stopProc, waitFor } from './process.js';

export type Role = 'api' | 'prequeuer' | 'dispatcher' | 'worker';
export const ROLES: readonly Role[] = ['api', 'prequeuer', 'dispatcher', 'worker'];

/** The variable naming each role's port: the API's own, the others' health port. */
const PORT_VARIABLE: Record<Role, string> = {
  api: 'API_PORT',
  prequeuer: 'PREQUEUER_HEALTH_PORT',
  dispatcher: 'DISPATCHER_HEALTH_PORT',
  worker: 'WORKER_HEALTH_PORT',
};

export interface Service {
  role: Role;
  /** `worker1`, `api2`... */
  name: string;
  /** The API's port, or the service's health port (/readyz, /metrics). */
  port: number;
  proc: Proc;
  ready(timeoutMs?: number): Promise<void>;
  /** Starts it again (same ports and environment) and waits until it is ready. */
  restart(): Promise<void>;
  /** SIGTERM, and the exit it made. */
  stop(graceMs?: number): Promise<Exit>;
}

async function readyz(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}

/**
 * Starts one built service (`<appsRoot>/apps/<role>/dist/main.js`) as its own process, the way
 * it is deployed. Its environment is only `env` (plus PATH): nothing of the harness's own
 * environment (MONGO_URL, REDIS_URL of the shared servers) can leak into it.
 */
export async function startService({
  role,
  index,
  appsRoot,
  env,
  dir,
  port,
}: {
  role: Role;
  index: number;
  appsRoot: string;
  env: Record<string, string>;
  dir: string;
  /** Its API or health port. */
  port: number;
}): Promise<Service> {
  const main = join(appsRoot, 'apps', role, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build the services first (pnpm build)`);
  const name = `${role}${index}`;
  const proc = startProc({
    name,
    command: process.execPath,
    args: ['--enable-source-maps', main],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, [PORT_VARIABLE[role]]: String(port) },
    logFile: join(dir, `${name}.log`),
    cwd: appsRoot,
  });
  const service: Service = {
    role,
    name,
    port,
    proc,
    // Its own readiness: a process that died answers nothing, whatever else listens there.
    ready: (timeoutMs = 180_000) =>
      waitFor(
        `${name} on ${port}`,
        async () => {
          if (!proc.running()) throw new StopWaiting(`${name} exited during its start (see ${name}.log)`);
          return readyz(port);
        },
        timeoutMs,
        200,
      ),
    async restart() {
      proc.restart();
      await service.ready();
    },
    stop: (graceMs = 40_000) => stopProc(proc, graceMs),
  };
  return service;
}
