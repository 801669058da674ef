import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until the wall clock reaches `at` (epoch ms). libuv truncates timers to whole
 * milliseconds and can wake up to ~1 ms early, so it sleeps again for what is left; a timer's
 * lateness on an idle 2-core machine is well under a millisecond at the median. An abort ends the
 * wait at once (the send then reports it aborted).
 */
export async function waitUntil(at: number, signal?: AbortSignal): Promise<void> {
  for (let left = at - Date.now(); left > 0 && !signal?.aborted; left = at - Date.now()) {
    await sleep(left, undefined, signal ? { signal } : undefined).catch(() => undefined);
  }
}
