import type { Logger } from '@event-scheduler/logging';
import {
  type ArchivedEventRecord,
  type Attempt,
  attachAttempt,
  insertOutcomes,
  type Models,
  markRetryScheduled,
  type StatusChange,
} from '@event-scheduler/models';
import { Types } from 'mongoose';
import type { Occurrence } from './occurrence.js';
import type { Timeline } from './timeline.js';

export interface OutcomeWriterOptions {
  /**
   * Outcomes written per insert; default 100. Serialising a batch blocks the event loop, and a
   * worker's loop also fires sends at their instant: small batches keep each block short.
   */
  maxBatch?: number;
  /** How long an outcome waits for others to share its insert; default 50 ms. */
  maxDelayMs?: number;
}

/** Where a finished send came from: held by a worker's batch, or taken by a dispatcher that dropped it. */
export type Holder = 'held' | 'taking';

export interface OutcomeWriter {
  /**
   * Archives a send's outcome (batched with others into one insert), then lets go of the send in
   * Redis. Resolves `duplicate` when the event was finished by someone else first (a pause
   * cancelled it while its attempt ran): the caller attaches its attempt to that archive instead.
   */
  finish(send: Occurrence, archived: ArchivedEventRecord, holder?: Holder): Promise<'inserted' | 'duplicate'>;
  /**
   * Records a failed attempt and plans the retry `next`: the live event becomes `retry_scheduled`
   * (awaited: the retry must survive Redis losing the plan), then the send is swapped for its
   * retry on the timeline, with its `carry` (carry.ts), in one transaction. False, with no retry
   * planned and the send let go, when the event is not live any more.
   */
  retry(
    send: Occurrence,
    next: Occurrence,
    record: { attempts: Attempt[]; history: StatusChange[]; now: Date; carry: string },
  ): Promise<boolean>;
  /**
   * Keeps an attempt on an archive someone else wrote; with `delivered` (the attempt was answered
   * 2xx), a `cancelled` archive becomes `succeeded` with that step.
   */
  attach(eventId: string, attempt: Attempt, delivered?: StatusChange): Promise<void>;
  /** Writes whatever is batched (at shutdown). */
  flush(): Promise<void>;
}

/**
 * The one way outcomes reach the database: archive inserts batched across sends (one insert per
 * batch is the only statement a successful delivery costs the database), retries written one by
 * one (they are the exception), and the plan in Redis updated after the database, never before:
 * a crash in between leaves a send that reconciliation or a re-run finds finished.
 */
export function createOutcomeWriter(
  models: Pick<Models, 'events' | 'archivedEvents'>,
  timeline: Timeline,
  log: Logger,
  { maxBatch = 100, maxDelayMs = 50 }: OutcomeWriterOptions = {},
): OutcomeWriter {
  type Item = {
    send: Occurrence;
    doc: ArchivedEventRecord;
    holder: Holder;
    done: (outcome: 'inserted' | 'duplicate') => void;
    fail: (error: unknown) => void;
  };
  let pending: Item[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  async function write(batch: Item[]): Promise<void> {
    try {
      const outcomes = await insertOutcomes(
        models,
        batch.map((i) => i.doc),
      );
      const held = batch.filter((i) => i.holder === 'held').map((i) => ({ send: i.send }));
      await timeline.finish(held);
      const taken = new Map<number, Occurrence[]>();
      for (const i of batch.filter((b) => b.holder === 'taking')) {
        const shard = timeline.keys.shardOf(i.send.scheduleId);
        taken.set(shard, [...(taken.get(shard) ?? []), i.send]);
      }
      for (const [shard, sends] of taken) await timeline.drop(shard, sends);
      for (const [i, item] of batch.entries()) item.done(outcomes[i] ?? 'inserted');
    } catch (error) {
      log.error({ err: error, size: batch.length }, 'writing outcomes failed');
      for (const item of batch) item.fail(error);
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) chain = chain.then(() => write(batch));
    return chain;
  }

  return {
    finish(send, doc, holder = 'held') {
      return new Promise((done, fail) => {
        pending.push({ send, doc, holder, done, fail });
        if (pending.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), maxDelayMs);
      });
    },

    async retry(send, next, { attempts, history, now, carry }) {
      const id = new Types.ObjectId(send.eventId);
      // One statement, no read: whoever else finishes an event while its attempt runs deletes
      // its live copy after archiving it (a change's cancelPlan, the overlap policy's supersede),
      // so the update matches nothing; and a retry of an older version is dropped by its fence
      // anyway. On FerretDB v1 every statement scans its collection: a read of the archive here
      // made each retry scan the largest one.
      const live = await markRetryScheduled(models, id, { attempts, history, nextAt: new Date(next.dueAt), now });
      if (!live) {
        await timeline.finish([{ send }]);
        return false;
      }
      await timeline.finish([{ send, next, carry }]);
      return true;
    },

    attach: (eventId, attempt, delivered) => attachAttempt(models, new Types.ObjectId(eventId), attempt, delivered),

    flush,
  };
}
