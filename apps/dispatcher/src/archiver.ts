import type { Logger } from '@event-scheduler/logging';
import { archiveEvents, type EventRecord, type Models } from '@event-scheduler/models';

export type Archive = (event: EventRecord, status: 'cancelled' | 'skipped', message: string) => Promise<void>;

/**
 * Archives dropped events in batches, one batch at a time: a pause or an outage can drop
 * thousands of jobs at once, and one insertMany + deleteMany per batch keeps the database's
 * concurrent writes low (FerretDB v1 can deadlock under many concurrent update/delete commands).
 */
export function createArchiver(
  models: Pick<Models, 'events' | 'archivedEvents'>,
  {
    log,
    clock,
    maxBatch = 200,
    maxDelayMs = 20,
  }: { log: Logger; clock: () => Date; maxBatch?: number; maxDelayMs?: number },
): Archive {
  type Item = { event: EventRecord; status: 'cancelled' | 'skipped'; message: string; done: (e?: unknown) => void };
  let pending: Item[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    chain = chain.then(async () => {
      try {
        await archiveEvents(models, batch, clock());
        for (const item of batch) item.done();
      } catch (error) {
        log.error({ err: error, size: batch.length }, 'archiving dropped events failed');
        for (const item of batch) item.done(error);
      }
    });
  };
  return (event, status, message) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ event, status, message, done: (e) => (e ? reject(e) : resolve()) });
      if (pending.length >= maxBatch) flush();
      else timer ??= setTimeout(flush, maxDelayMs);
    });
}
