import type { Logger } from '@event-scheduler/logging';
import type { Model } from 'mongoose';

/** One operation of `Model<T>.bulkWrite`. */
export type BulkOperation<T> = Parameters<Model<T>['bulkWrite']>[0][number];

export interface BulkWriterOptions {
  /** Writes at most this many documents per command. */
  maxBatch?: number;
  /** Waits at most this long for a batch to fill. */
  maxDelayMs?: number;
  log: Logger;
}

/** The write error codes of a failed unordered insert, by index in the batch. */
export function writeErrorsOf(error: unknown): { index: number; code: number | undefined }[] | undefined {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]) as { index?: number; code?: number; err?: { code?: number } }[];
  return list.map((e) => ({ index: e.index ?? -1, code: e.code ?? e.err?.code }));
}

export interface BulkInserter<T> {
  /**
   * Queues one document; resolves `inserted`, or `duplicate` when a document with its unique key
   * exists already (E11000), once the batch holding it is written. Rejects if the batch failed.
   */
  insert(doc: T): Promise<'inserted' | 'duplicate'>;
  /** Writes whatever is queued now. */
  flush(): Promise<void>;
}

/**
 * Batches inserts: one unordered `insertMany`
 * per batch through the driver (no scan on FerretDB v1 and no per-statement connection, so
 * batches can be larger), each document told apart by its own outcome.
 */
export function createBulkInserter<T extends object>(
  model: Model<T>,
  { maxBatch = 100, maxDelayMs = 10, log }: BulkWriterOptions,
): BulkInserter<T> {
  type Pending = { doc: T; resolve: (outcome: 'inserted' | 'duplicate') => void; reject: (e: unknown) => void };
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  async function writeBatch(batch: Pending[]): Promise<void> {
    try {
      await model.collection.insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      for (const p of batch) p.resolve('inserted');
    } catch (error) {
      const errors = writeErrorsOf(error);
      if (!errors || errors.some((e) => e.code !== 11000 || e.index < 0)) {
        log.error({ err: error, collection: model.collection.name, size: batch.length }, 'bulk insert failed');
        for (const p of batch) p.reject(error);
        return;
      }
      const duplicates = new Set(errors.map((e) => e.index));
      batch.forEach((p, i) => {
        p.resolve(duplicates.has(i) ? 'duplicate' : 'inserted');
      });
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      while (pending.length > 0) {
        const batch = pending.slice(0, maxBatch);
        pending = pending.slice(maxBatch);
        await writeBatch(batch);
      }
    });
    return chain;
  }

  return {
    insert(doc) {
      return new Promise((resolve, reject) => {
        pending.push({ doc, resolve, reject });
        if (pending.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), maxDelayMs);
      });
    },
    flush,
  };
}
