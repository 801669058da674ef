import type { Logger } from '@event-scheduler/logging';
import { type EnqueueItem, enqueue, type QueueSet } from '@event-scheduler/queues';

export type Handoff = (item: EnqueueItem<'deliver'>) => Promise<void>;

/**
 * Hands occurrences to worker_queue. Timers that expire in the same event-loop turn (many
 * occurrences due at the same instant) are sent in one addBulk at the end of that turn, so a burst
 * costs one round trip instead of one per occurrence, and nothing waits longer than that turn.
 */
export function createHandoff(queues: QueueSet, log: Logger): Handoff {
  let pending: { item: EnqueueItem<'deliver'>; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    enqueue(
      queues,
      'deliver',
      batch.map((p) => p.item),
    ).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (error: unknown) => {
        log.error({ err: error, size: batch.length }, 'hand-off to worker_queue failed');
        for (const p of batch) p.reject(error);
      },
    );
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ item, resolve, reject });
    });
}
