import type { Logger } from '@event-scheduler/logging';
import {
  type Attempt,
  archivedCopy,
  archiveEvents,
  type BulkOperation,
  createBulkInserter,
  createBulkWriter,
  type EventDoc,
  type EventRecord,
  type EventStatus,
  type Models,
  type Schedule,
  statusChange,
} from '@event-scheduler/models';

type ObjectId = EventRecord['_id'];
type FinalStatus = Extract<EventStatus, 'succeeded' | 'failed' | 'skipped' | 'cancelled'>;

/** Statuses an event can be in when an attempt starts (`delivering`: an earlier run of it died). */
const STARTABLE: readonly EventStatus[] = ['scheduled', 'dispatched', 'retry_scheduled', 'delivering'];

/** A status change that also records an attempt, in the same update. */
function withAttempt(op: BulkOperation<EventDoc>, attempt: Attempt): { filter: object; update: object } {
  const { filter, update } = (op as unknown as { updateOne: { filter: object; update: { $push: object } } }).updateOne;
  return { filter, update: { ...update, $push: { ...update.$push, attempts: attempt } } };
}

/**
 * Every write the worker makes to events and schedules. Writes that only inform (an attempt has
 * started, a schedule's last run, a failure streak ended) go through bulk writers and cost a
 * share of one round trip; writes the next step depends on (an attempt's result, the archive of a
 * finished event) are awaited. A first attempt that succeeds costs the database one read of the
 * event and, batched with other deliveries, the `delivering` update, the archive insert and the
 * delete; its schedule comes with the job (the dispatcher's snapshot).
 */
export function createEventWrites({
  models,
  log,
}: {
  models: Pick<Models, 'events' | 'archivedEvents' | 'schedules'>;
  log: Logger;
}) {
  const events = createBulkWriter(models.events, { log });
  const archive = createBulkInserter(models.archivedEvents, { log });
  const schedules = createBulkWriter<Schedule>(models.schedules, { log });

  // The latest attempted occurrence per schedule, written once a second rather than once per
  // delivery: a schedule firing every second would otherwise cost a write per occurrence.
  let lastRuns = new Map<string, { id: ObjectId; at: Date }>();
  let lastRunTimer: NodeJS.Timeout | undefined;
  const writeLastRuns = () => {
    clearTimeout(lastRunTimer);
    lastRunTimer = undefined;
    const runs = [...lastRuns.values()];
    lastRuns = new Map();
    return Promise.all(
      runs.map(({ id, at }) => {
        const op = { updateOne: { filter: { _id: id }, update: { $max: { last_run_at: at } } } };
        return schedules.write(op as BulkOperation<Schedule>).catch(() => undefined);
      }),
    );
  };

  return {
    /**
     * Records that attempt `number` starts: one update sets `delivering` and appends its history
     * entry, the dispatcher's `dispatched` entry when the job carries its release time and the
     * event still shows `scheduled`, and an attempt an earlier run never finished. Returns the
     * event as it now stands (for the final write, which then needs no read) and the write.
     */
    markDelivering(
      event: EventRecord,
      {
        number,
        lost,
        now,
        dispatchedAt,
      }: { number: number; lost: Attempt | null; now: Date; dispatchedAt: Date | null },
    ): { current: EventRecord; written: Promise<void> } {
      const entries: EventDoc['history'] = [];
      if (dispatchedAt && event.status === 'scheduled') {
        entries.push({ time: dispatchedAt, status: 'dispatched', message: 'released to worker_queue' });
      }
      entries.push({ time: now, status: 'delivering', message: `attempt ${number}` });
      const op = {
        updateOne: {
          filter: { _id: event._id, status: { $in: [...STARTABLE] } },
          update: {
            $set: { status: 'delivering', updated_at: now },
            $push: { history: { $each: entries }, ...(lost ? { attempts: lost } : {}) },
          },
        },
      };
      const current: EventRecord = {
        ...event,
        status: 'delivering',
        updated_at: now,
        history: [...event.history, ...entries],
        attempts: lost ? [...event.attempts, lost] : event.attempts,
      };
      return { current, written: events.write(op as BulkOperation<EventDoc>) };
    },

    /** Remembers the schedule's latest attempted occurrence (`last_run_at`), batched. */
    noteRun(scheduleId: ObjectId, occurrenceAt: Date): void {
      const key = scheduleId.toHexString();
      const known = lastRuns.get(key);
      if (!known || known.at < occurrenceAt) lastRuns.set(key, { id: scheduleId, at: occurrenceAt });
      lastRunTimer ??= setTimeout(() => void writeLastRuns(), 1000);
    },

    /** A success ends the schedule's failure streak. */
    resetStreak(scheduleId: ObjectId): void {
      const op = { updateOne: { filter: { _id: scheduleId }, update: { $set: { consecutive_failures: 0 } } } };
      void schedules.write(op as BulkOperation<Schedule>).catch(() => undefined);
    },

    /** Records a failed attempt and the wait before the next; false when the event is no longer ours. */
    async recordRetry(event: EventRecord, attempt: Attempt, nextAt: Date, now: Date): Promise<boolean> {
      const message = `attempt ${attempt.number} failed (${attempt.error_message}); next attempt at ${nextAt.toISOString()}`;
      const op = statusChange(event._id, 'retry_scheduled', {
        now,
        message,
        // Not only `delivering`: FerretDB v1 updates are not atomic, so a concurrent write can
        // overwrite `delivering` after it landed.
        from: STARTABLE,
        set: { next_attempt_at: nextAt },
      });
      const { filter, update } = withAttempt(op, attempt);
      const result = await models.events.updateOne(filter, update);
      return result.matchedCount > 0;
    },

    /**
     * Archives an event whose last attempt finished it, from the copy in hand (`current`, with that
     * attempt appended): the archive insert is the durable record, then the live event is deleted
     * (batched). False when the event was archived already by someone else (cancelled by a pause,
     * superseded): the caller attaches its attempt to that archived copy instead.
     */
    async archiveFinished(
      current: EventRecord,
      status: Extract<FinalStatus, 'succeeded' | 'failed'>,
      message: string,
      now: Date,
    ): Promise<boolean> {
      const outcome = await archive.insert(archivedCopy(current, status, message, now));
      if (outcome === 'duplicate') return false;
      await events.write({ deleteOne: { filter: { _id: current._id } } } as BulkOperation<EventDoc>);
      return true;
    },

    /** An archived copy of the event exists (an earlier run of this job archived it, then died). */
    async isArchived(eventId: ObjectId): Promise<boolean> {
      return (await models.archivedEvents.exists({ _id: eventId })) !== null;
    },

    /**
     * Keeps an attempt whose event finished meanwhile (superseded, or cancelled by a pause): the
     * attempt happened, so its record goes onto the archived event.
     */
    async attachToArchive(eventId: ObjectId, attempt: Attempt): Promise<void> {
      await models.archivedEvents.updateOne({ _id: eventId }, { $push: { attempts: attempt } });
    },

    /** Moves finished events to the archive (durable before the job completes). */
    async finish(finished: { event: EventRecord; status: FinalStatus; message: string }[], now: Date): Promise<void> {
      await archiveEvents(models, finished, now);
    },

    async flush(): Promise<void> {
      await writeLastRuns();
      await archive.flush();
      await Promise.all([events.flush(), schedules.flush()]);
    },
  };
}

export type EventWrites = ReturnType<typeof createEventWrites>;
