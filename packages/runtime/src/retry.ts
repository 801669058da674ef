import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@event-scheduler/logging';

/** A dependency that could not be reached at start; the message says which and why. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * Calls `attempt` until it resolves or `timeoutMs` has passed, waiting a little longer between
 * tries (250 ms doubling to 2 s). Throws a {@link StartupError} naming `what` and the last error,
 * so a service that cannot reach Mongo or Redis stops with a clear message instead of hanging.
 */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, log }: { timeoutMs: number; log: Logger },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let wait = 250;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (Date.now() + wait >= deadline) {
        throw new StartupError(
          `cannot reach ${what} after ${tries} tries in ${Math.round(timeoutMs / 1000)} s: ${message}`,
        );
      }
      log.warn({ what, tries, err: message }, 'dependency not reachable yet, retrying');
      await sleep(wait);
      wait = Math.min(wait * 2, 2000);
    }
  }
}
