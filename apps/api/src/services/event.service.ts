import {
  type Engine,
  type FoundEvent,
  findEvent,
  isRedeliveryPending,
  redeliver,
  replanRedelivery,
} from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import {
  type EventRecord,
  findFailedEvents,
  findSchedule,
  listEventHistory,
  listPendingEvents,
  liveScheduleIds,
  type Models,
  type Page,
  parseObjectId,
  type ScheduleRecord,
} from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';
import { AppError, invalidField, notFound } from '../errors.js';

export interface EventServiceDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots'>;
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

/** Reading what happened to occurrences, and redelivering failed ones (through the engine). */
export function createEventService({ models, engine, clock, log, bulkRetryLimit = 1000 }: EventServiceDeps) {
  async function scheduleOf(tenantId: string, id: string): Promise<ScheduleRecord> {
    const schedule = await findSchedule(models, tenantId, id);
    if (!schedule) throw notFound('schedule');
    return schedule;
  }

  async function find(tenantId: string, id: string): Promise<FoundEvent> {
    const objectId = parseObjectId(id);
    const found = objectId ? await findEvent(engine, tenantId, objectId) : null;
    if (!found) throw notFound('event');
    return found;
  }

  const notFailed = (status: string) =>
    new AppError('conflict', `the event is ${status}; only failed events can be redelivered`);

  return {
    async pending(tenantId: string, scheduleId: string, page: Page) {
      const schedule = await scheduleOf(tenantId, scheduleId);
      return listPendingEvents(models, tenantId, schedule._id, page);
    },

    async history(tenantId: string, scheduleId: string, page: Page) {
      const schedule = await scheduleOf(tenantId, scheduleId);
      return listEventHistory(models, tenantId, schedule._id, page);
    },

    get: find,

    /** Redelivers one failed event; asking again while it waits only plans its send again (idempotent). */
    async retry(tenantId: string, id: string): Promise<EventRecord> {
      const found = await find(tenantId, id);
      if (!found.archived) {
        if (!isRedeliveryPending(found.event)) throw notFailed(found.event.status);
        const schedule = await findSchedule(models, tenantId, String(found.event.schedule_id));
        if (!schedule) throw new AppError('conflict', 'the schedule of this event was deleted');
        await replanRedelivery(engine, found.event, schedule);
        return found.event;
      }
      if (found.event.status !== 'failed') throw notFailed(found.event.status);
      const schedule = await findSchedule(models, tenantId, String(found.event.schedule_id));
      if (!schedule) throw new AppError('conflict', 'the schedule of this event was deleted');
      const live = await redeliver(engine, found.event, schedule, clock());
      log.info({ eventId: id, tenantId }, 'redelivery requested');
      return live;
    },

    /** "Recover since T": redelivers the tenant's failed events that finished in [since, until]. */
    async retryMany(tenantId: string, input: RetryManyInput): Promise<{ eventIds: string[]; more: boolean }> {
      const now = clock();
      const since = new Date(input.since);
      const until = input.until ? new Date(input.until) : now;
      if (until.getTime() < since.getTime()) throw invalidField('until', 'must not be before since');
      const scheduleId =
        input.schedule_id === undefined ? undefined : (await scheduleOf(tenantId, input.schedule_id))._id;
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
      const schedules = new Map<string, ScheduleRecord>();
      const redelivered: string[] = [];
      for (const event of batch) {
        const key = String(event.schedule_id);
        if (!live.has(key)) continue;
        let schedule = schedules.get(key);
        if (!schedule) {
          schedule = (await findSchedule(models, tenantId, key)) ?? undefined;
          if (!schedule) continue;
          schedules.set(key, schedule);
        }
        redelivered.push(String((await redeliver(engine, event, schedule, now))._id));
      }
      log.info({ tenantId, count: redelivered.length, more }, 'bulk redelivery requested');
      return { eventIds: redelivered, more };
    },
  };
}
