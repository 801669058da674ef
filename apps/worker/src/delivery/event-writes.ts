import type { Logger } from '@event-scheduler/logging';
import {
  type Attempt,
  archiveEvents,
  type BulkOperation,
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
 * finished event) are made directly and awaited.
 */
export function createEventWrites({
  models,
  log,
}: {
  models: Pick<Models, 'events' | 'archivedEvents' | 'schedules'>;
  log: Logger;
}) {
  const events = createBulkWriter(models.events, { log });
  const schedules = createBulkWriter<Schedule>(models.schedules, { log });

  return {
    /** The event is `delivering` attempt `number`; an attempt an earlier run never finished is recorded first. */
    markDelivering(event: EventRecord, number: number, lost: Attempt | null, now: Date): Promise<void> {
      const writes: Promise<void>[] = [];
      if (lost) {
        const op = { updateOne: { filter: { _id: event._id }, update: { $push: { attempts: lost } } } };
        writes.push(events.write(op as BulkOperation<EventDoc>));
      }
      writes.push(
        events.write(statusChange(event._id, 'delivering', { now, message: `attempt ${number}`, from: STARTABLE })),
      );
      return Promise.all(writes).then(() => undefined);
    },

    /** Remembers the schedule's latest attempted occurrence (`last_run_at`). */
    noteRun(scheduleId: ObjectId, occurrenceAt: Date): void {
      const op = { updateOne: { filter: { _id: scheduleId }, update: { $max: { last_run_at: occurrenceAt } } } };
      void schedules.write(op as BulkOperation<Schedule>).catch(() => undefined);
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
        // Not only `delivering`: FerretDB v1 updates are not atomic, so the dispatcher's batched
        // `dispatched` write can overwrite `delivering` after it landed.
        from: STARTABLE,
        set: { next_attempt_at: nextAt },
      });
      const { filter, update } = withAttempt(op, attempt);
      const result = await models.events.updateOne(filter, update);
      return result.matchedCount > 0;
    },

    /** Records the last attempt and returns the event as it now stands; null when it is no longer ours. */
    async recordFinal(event: EventRecord, attempt: Attempt, now: Date): Promise<EventRecord | null> {
      return (await models.events
        .findOneAndUpdate(
          { _id: event._id, status: { $in: [...STARTABLE] } },
          { $push: { attempts: attempt }, $set: { updated_at: now } },
          { returnDocument: 'after' },
        )
        .lean()) as EventRecord | null;
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
      await Promise.all([events.flush(), schedules.flush()]);
    },
  };
}

export type EventWrites = ReturnType<typeof createEventWrites>;
