import { poolLimited, type ReadyService, startReadyService } from '@event-scheduler/testing';
import { type Harness, LEAD_MS, WINDOW_MS } from './fixtures.js';

export type Role = 'prequeuer' | 'dispatcher' | 'worker';

/** Test timings per service: loops of a second or two, a one-minute window, quick recovery. */
const TIMINGS: Record<Role, Record<string, string>> = {
  prequeuer: {
    PREQUEUER_TICKER_INTERVAL_SECONDS: '1',
    PREQUEUER_EVENT_TIMEFRAME_MINUTES: String(WINDOW_MS / 60_000),
    // Production-like (60 s) would outlast the tests; the epoch check (1 s) notices wipes.
    PREQUEUER_RECONCILE_INTERVAL_SECONDS: '2',
    PREQUEUER_EPOCH_CHECK_INTERVAL_SECONDS: '1',
  },
  dispatcher: { DISPATCHER_LEASE_MS: '2000' },
  worker: { WORKER_COUNT: '50', WORKER_SSRF_ALLOW_LIST: '127.0.0.1/32,::1/128' },
};

/** Starts one built service against the harness's database and key prefix, once it is ready. */
export function startService(
  h: Pick<Harness, 'services'>,
  role: Role,
  extra: Record<string, string> = {},
): Promise<ReadyService> {
  return startReadyService(role, {
    ...h.services.env,
    MONGO_URL: poolLimited(h.services.mongoUrl),
    LOG_LEVEL: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
    DISPATCHER_LEAD_MS: String(LEAD_MS),
    ...TIMINGS[role],
    ...extra,
  });
}

/** Starts the roles side by side; each is pushed to `into` once ready, so a failure still stops the others. */
export async function startAll(
  h: Pick<Harness, 'services'>,
  roles: readonly Role[],
  into: ReadyService[],
  extra: Record<string, string> = {},
): Promise<void> {
  await Promise.all(roles.map(async (role) => into.push(await startService(h, role, extra))));
}

/** Stops every service in `running` (SIGTERM) and empties it. */
export async function stopAll(running: ReadyService[]): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

/** Warnings and errors the services logged, for a failing test's output. */
export function complaints(running: readonly ReadyService[], limit = 5): string[] {
  return running.flatMap((s) => s.lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(0, limit));
}
