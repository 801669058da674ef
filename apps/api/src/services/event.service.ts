import type { Logger } from '@event-scheduler/logging';
import {
  dropArchivedCopy,
  type EventRecord,
  type FoundEvent,
  findEvent,
  findFailedEvents,
  findSchedule,
  listEventHistory,
  listPendingEvents,
  liveScheduleIds,
  type Models,
  moveForRedelivery,
  type Page,
  type parseObjectId,
  REDELIVERY_REQUESTED,
} from '@event-scheduler/models';
import { enqueue, occurrenceJobId, type QueueSet } from '@event-scheduler/queues';
import type { Clock } from '@event-scheduler/scheduling';
import { AppError, invalidField, notFound } from '../errors.js';

export interface EventServiceDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  queues: QueueSet;
  clock: Clock;
  log: Logger;
  /** Most events one "recover since T" request redelivers; the answer says when more are left. */
  bulkRetryLimit?: number;
}

export interface RetryManyInput {
  schedule_id?: string | undefined;
  since: string;
  until?: string | undefined;
}

export type EventService = ReturnType<typeof createEventService>;

/** Reading what happened to occurrences, and redelivering failed ones. */
export function createEventService({ models, queues, clock, log, bulkRetryLimit = 1000 }: EventServiceDeps) {
  async function scheduleOf(tenantId: string, id: string) {
    const schedule = await findSchedule(models, tenantId, id);
    if (!schedule) throw notFound('schedule');
    return schedule;
  }

  /** The worker's job for a redelivery: a `-r<attempts>` id, so it never collides with the first delivery. */
  async function enqueueRedeliveries(events: EventRecord[]): Promise<void> {
    await enqueue(
      queues,
      'deliver',
      events.map((e) => ({
        jobId: `${occurrenceJobId(String(e.schedule_id), e.occurrence_at)}-r${e.attempts.length}`,
        payload: {
          tenant_id: e.tenant_id,
          event_id: String(e._id),
          schedule_id: String(e.schedule_id),
          schedule_version: e.schedule_version,
          occurrence_at: e.occurrence_at.toISOString(),
        },
      })),
    );
  }

  const isRedeliveryPending = (e: EventRecord) =>
    e.status === 'scheduled' && e.history.at(-1)?.message === REDELIVERY_REQUESTED;

  return {
    async pending(tenantId: string, scheduleId: string, page: Page) {
      const schedule = await scheduleOf(tenantId, scheduleId);
      return listPendingEvents(models, tenantId, schedule._id, page);
    },

    async history(tenantId: string, scheduleId: string, page: Page) {
      const schedule = await scheduleOf(tenantId, scheduleId);
      return listEventHistory(models, tenantId, schedule._id, page);
    },

    async get(tenantId: string, id: string): Promise<FoundEvent> {
      const found = await findEvent(models, tenantId, id);
      if (!found) throw notFound('event');
      return found;
    },

    /** Redelivers one failed event; asking again while it waits only re-sends the (deduplicated) job. */
    async retry(tenantId: string, id: string): Promise<EventRecord> {
      const found = await findEvent(models, tenantId, id);
      if (!found) throw notFound('event');
      if (!found.archived) {
        if (!isRedeliveryPending(found.event)) {
          throw new AppError('conflict', `the event is ${found.event.status}; only failed events can be redelivered`);
        }
        await dropArchivedCopy(models, found.event._id);
        await enqueueRedeliveries([found.event]);
        return found.event;
      }
      if (found.event.status !== 'failed') {
        throw new AppError('conflict', `the event is ${found.event.status}; only failed events can be redelivered`);
      }
      if (!(await findSchedule(models, tenantId, String(found.event.schedule_id)))) {
        throw new AppError('conflict', 'the schedule of this event was deleted');
      }
      const moved = await moveForRedelivery(models, found.event, clock());
      if (!moved) throw new AppError('conflict', 'another event for this occurrence is in progress');
      await enqueueRedeliveries([moved]);
      log.info({ eventId: id, tenantId }, 'redelivery requested');
      return moved;
    },

    /** "Recover since T": redelivers the tenant's failed events that finished in [since, until]. */
    async retryMany(tenantId: string, input: RetryManyInput): Promise<{ eventIds: string[]; more: boolean }> {
      const now = clock();
      const since = new Date(input.since);
      const until = input.until ? new Date(input.until) : now;
      if (until.getTime() < since.getTime()) throw invalidField('until', 'must not be before since');
      let scheduleId: ReturnType<typeof parseObjectId> | undefined;
      if (input.schedule_id !== undefined) {
        scheduleId = (await scheduleOf(tenantId, input.schedule_id))._id;
      }
      const failed = await findFailedEvents(models, tenantId, {
        ...(scheduleId ? { scheduleId } : {}),
        since,
        until,
        limit: bulkRetryLimit + 1,
      });
      const more = failed.length > bulkRetryLimit;
      const batch = failed.slice(0, bulkRetryLimit);
      const live = await liveScheduleIds(
        models,
        tenantId,
        batch.map((e) => e.schedule_id),
      );
      const moved: EventRecord[] = [];
      for (const event of batch) {
        if (!live.has(String(event.schedule_id))) continue;
        const copy = await moveForRedelivery(models, event, now);
        if (copy) moved.push(copy);
      }
      await enqueueRedeliveries(moved);
      log.info({ tenantId, count: moved.length, more }, 'bulk redelivery requested');
      return { eventIds: moved.map((e) => String(e._id)), more };
    },
  };
}
