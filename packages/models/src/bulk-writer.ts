import type { Logger } from '@event-scheduler/logging';
import type { Model } from 'mongoose';

/** One operation of `Model<T>.bulkWrite`. */
export type BulkOperation<T> = Parameters<Model<T>['bulkWrite']>[0][number];

export interface BulkWriter<T> {
  /** Queues one write; resolves once the batch holding it is written (rejects if that batch failed). */
  write(op: BulkOperation<T>): Promise<void>;
  /** Writes whatever is queued now. */
  flush(): Promise<void>;
}

export interface BulkWriterOptions {
  /**
   * Writes at most this many operations per command; default 16. FerretDB v1 holds a PostgreSQL
   * connection per update statement until its command ends and deadlocks when its pool (50) runs
   * out, so batches stay small and one command is in flight at a time.
   */
  maxBatch?: number;
  /** Waits at most this long for a batch to fill; default 20 ms. */
  maxDelayMs?: number;
  log: Logger;
}

/**
 * Batches status writes off the timing path: callers do not wait for a round trip per event, and
 * a burst of N status changes costs N / maxBatch round trips. Unordered, so one bad operation
 * does not hold back the others in its batch.
 */
export function createBulkWriter<T>(
  model: Model<T>,
  { maxBatch = 16, maxDelayMs = 20, log }: BulkWriterOptions,
): BulkWriter<T> {
  let pending: { op: BulkOperation<T>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  let chain: Promise<void> = Promise.resolve();

  async function writeAll(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(maxBatch);
      try {
        await model.bulkWrite(
          batch.map((p) => p.op),
          { ordered: false },
        );
        for (const p of batch) p.resolve();
      } catch (error) {
        log.error({ err: error, collection: model.collection.name, size: batch.length }, 'bulk write failed');
        for (const p of batch) p.reject(error);
      }
    }
  }

  /** One writer at a time: a flush queues behind the one in flight. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(writeAll);
    return chain;
  }

  return {
    write(op) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ op, resolve, reject });
        if (pending.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), maxDelayMs);
      });
    },
    flush,
  };
}
