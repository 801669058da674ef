import {
  archiveEvents,
  type EventRecord,
  type EventStatus,
  findLiveEventsOfSchedule,
  REDELIVERY_REQUESTED,
} from '@event-scheduler/models';
import { eventJobId, removeJobs } from './jobs.js';
import type { PlanningDeps, ScheduleWithId } from './types.js';

/**
 * Statuses cancelled when a schedule changes. `delivering` is left alone: an attempt is running,
 * the worker records its outcome, and its version check stops any further attempt.
 */
const CANCELLABLE: readonly EventStatus[] = ['scheduled', 'dispatched', 'retry_scheduled'];

const isRedelivery = (event: EventRecord) => event.history.at(-1)?.message === REDELIVERY_REQUESTED;

/** The worker_queue job ids an event may have: its first delivery, or a requested redelivery. */
function jobIdsOf(event: EventRecord): string[] {
  const id = eventJobId(event);
  return isRedelivery(event) ? [id, `${id}-r${event.attempts.length}`] : [id];
}

/**
 * Cancels every not-yet-delivered event of the schedule planned under a version older than
 * `schedule.version` (every one, whatever its version or kind, when the schedule is paused or
 * deleted): removes their waiting or delayed jobs from ready_queue and worker_queue, then records
 * them as `cancelled` with `reason` and archives them. A redelivery a user asked for survives a
 * version change (the worker delivers it regardless) but not a pause or delete. Returns how many
 * were cancelled.
 */
export async function cancelPlannedEvents(
  deps: Pick<PlanningDeps, 'models' | 'queues' | 'log'>,
  schedule: ScheduleWithId,
  reason: string,
  now: Date,
): Promise<number> {
  const stopped = Boolean(schedule.deleted_at) || schedule.status === 'paused';
  const found = await findLiveEventsOfSchedule(deps.models, schedule, {
    statuses: CANCELLABLE,
    ...(stopped ? {} : { belowVersion: schedule.version }),
  });
  const events = stopped ? found : found.filter((e) => !isRedelivery(e));
  if (events.length === 0) return 0;
  await removeJobs(deps.queues, events.flatMap(jobIdsOf));
  await archiveEvents(
    deps.models,
    events.map((event) => ({ event, status: 'cancelled' as const, message: reason })),
    now,
  );
  deps.log.info({ scheduleId: schedule._id.toHexString(), count: events.length, reason }, 'planned events cancelled');
  return events.length;
}
