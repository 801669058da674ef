import type { Dispatch } from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import type { DispatcherMetrics } from './metrics.js';

export interface DispatcherLoop {
  /** Stops after the pass in progress; resolves once it has finished (its sends are handed over). */
  stop(): Promise<void>;
}

/** Leases of dead dispatchers are looked for this often. */
const SWEEP_EVERY_MS = 1000;

/**
 * Runs the dispatch pass over every shard every `pollMs`, back to back when a pass found a full
 * take (a backlog after an outage drains at once). Any number of dispatchers may run: a take is
 * atomic, so they share the work; one that dies loses its leases, and the others' sweeps put
 * those sends back within `dispatcher.lease_ms`.
 */
export function startDispatcher({
  dispatch,
  shards,
  pollMs,
  takeLimit,
  log,
  metrics,
}: {
  dispatch: Dispatch;
  shards: number;
  pollMs: number;
  takeLimit: number;
  log: Logger;
  metrics: DispatcherMetrics;
}): DispatcherLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastSweep = 0;
  let running: Promise<void> = Promise.resolve();

  async function once(): Promise<boolean> {
    let full = false;
    if (Date.now() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      for (let shard = 0; shard < shards; shard++) {
        const returned = await dispatch.sweep(shard);
        if (returned > 0) log.warn({ shard, returned }, 'took back sends a dead dispatcher held');
      }
    }
    for (let shard = 0; shard < shards; shard++) {
      const pass = await dispatch.pass(shard);
      metrics.record(pass);
      if (pass.taken >= takeLimit) full = true;
    }
    return full;
  }

  const run = () => {
    running = once()
      .catch((error: unknown) => {
        log.error({ err: error }, 'dispatch pass failed');
        return false;
      })
      .then((full) => {
        if (!stopped) timer = setTimeout(run, full ? 0 : pollMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
