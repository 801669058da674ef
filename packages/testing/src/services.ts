import { type AppName, freePort, type ServiceProcess, spawnService } from './processes.js';
import { sleep } from './wait.js';

/** The variable naming each service's health (or, for the API, its only) port. */
const HEALTH_PORT_VARIABLE: Record<AppName, string> = {
  api: 'API_PORT',
  prequeuer: 'PREQUEUER_HEALTH_PORT',
  dispatcher: 'DISPATCHER_HEALTH_PORT',
  worker: 'WORKER_HEALTH_PORT',
};

export interface ReadyService extends ServiceProcess {
  app: AppName;
  /** Where its /healthz, /readyz and /metrics answer. */
  healthPort: number;
}

/**
 * The database URL with the driver's pool capped at `size` connections: FerretDB v1 holds a
 * PostgreSQL connection per update statement until the command ends, and deadlocks when several
 * processes exhaust its pool; each test process and service keeps a few commands in flight.
 */
export function poolLimited(url: string, size = 3): string {
  const u = new URL(url);
  u.searchParams.set('maxPoolSize', String(size));
  return u.toString();
}

/**
 * Starts a built service on a free health port and resolves once its /readyz answers 200 (the
 * database and Redis reached; intake starts right after). Rejects with its last lines when it
 * exits or is not ready within `timeoutMs`.
 */
export async function startReadyService(
  app: AppName,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ReadyService> {
  const healthPort = await freePort();
  const service = spawnService(app, { ...env, [HEALTH_PORT_VARIABLE[app]]: String(healthPort) });
  let exited: number | string | undefined;
  void service.exited.then((code) => {
    exited = code;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ready) return Object.assign(service, { app, healthPort });
    if (exited !== undefined || Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(
        `${app} ${exited === undefined ? 'not ready' : `exited (${exited})`}; last lines:\n${service.lines.slice(-20).join('\n')}`,
      );
    }
    await sleep(100);
  }
}
