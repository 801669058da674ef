import type { Logger } from '@event-scheduler/logging';
import { type Models, statusChange, UPDATES_PER_COMMAND } from '@event-scheduler/models';

export interface DispatchedWrites {
  /** Records the event as `dispatched` (batched; never awaited on the timing path). */
  dispatched(eventId: string): void;
  /** Writes what is pending; resolves once every write queued so far has been attempted. */
  flush(): Promise<void>;
}

/**
 * Batches the `dispatched` status writes (statusChange, conditional on `scheduled`) off the
 * timing path: every `maxDelayMs`, the events released since are written in commands of
 * UPDATES_PER_COMMAND statements, one command in flight at a time (FerretDB v1 holds a
 * PostgreSQL connection per update statement until its command ends, and deadlocks when they run
 * out). A failed write is logged and dropped: the event stays `scheduled` while its worker_queue
 * job exists, which the worker and reconciliation both accept.
 */
export function createDispatchedWrites(
  models: Pick<Models, 'events'>,
  { log, clock, maxDelayMs = 25 }: { log: Logger; clock: () => Date; maxDelayMs?: number },
): DispatchedWrites {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const write = async (ids: string[]) => {
    const now = clock();
    for (let i = 0; i < ids.length; i += UPDATES_PER_COMMAND) {
      const ops = ids
        .slice(i, i + UPDATES_PER_COMMAND)
        .map((id) => statusChange(id, 'dispatched', { now, from: ['scheduled'], message: 'released to worker_queue' }));
      try {
        await models.events.bulkWrite(ops, { ordered: false });
      } catch (error) {
        log.error({ err: error, size: ops.length }, 'recording dispatched events failed');
      }
    }
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const ids = pending;
    pending = [];
    if (ids.length > 0) chain = chain.then(() => write(ids));
    return chain;
  };
  return {
    dispatched(eventId) {
      pending.push(eventId);
      timer ??= setTimeout(() => void flush(), maxDelayMs);
    },
    flush,
  };
}
