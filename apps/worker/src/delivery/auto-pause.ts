import type { Logger } from '@event-scheduler/logging';
import type { Models } from '@event-scheduler/models';
import type { cancelPlannedEvents, ScheduleWithId } from '@event-scheduler/planning';
import type { QueueSet } from '@event-scheduler/queues';

export interface AutoPauseDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  queues: QueueSet;
  log: Logger;
  /** The planning package's way to take back planned events (injected so tests and main share it). */
  cancelPlanned: typeof cancelPlannedEvents;
}

/**
 * Counts a failed occurrence against its schedule and pauses the schedule when the streak reaches
 * `max_consecutive_failures` (0 turns that off): status `paused`, a `paused_reason` saying how many
 * failures since when, the version bumped (so dispatcher and worker drop what is planned) and the
 * planned events cancelled through the planning package. The counter restarts at the pause, so a
 * resumed schedule gets a fresh streak.
 *
 * FerretDB v1 applies `$inc` as read-modify-write, so two workers finishing failures of the same
 * schedule at the same instant can lose one increment: the pause then comes one failure later.
 * That is acceptable for a safety valve; on MongoDB the increment is atomic.
 */
export async function recordFailure(
  deps: AutoPauseDeps,
  schedule: Pick<ScheduleWithId, '_id' | 'tenant_id'>,
  now: Date,
): Promise<boolean> {
  const { models, log } = deps;
  const counted = (await models.schedules
    .findOneAndUpdate(
      { _id: schedule._id, tenant_id: schedule.tenant_id },
      { $inc: { consecutive_failures: 1 } },
      { returnDocument: 'after' },
    )
    .lean()) as ScheduleWithId | null;
  if (!counted) return false;
  const limit = counted.max_consecutive_failures;
  const streak = counted.consecutive_failures;
  if (limit <= 0 || streak < limit || counted.status !== 'active' || counted.deleted_at) return false;
  const since = await streakStart(models, counted, streak, now);
  const reason = `auto-paused after ${streak} consecutive failures since ${since.toISOString()}`;
  const paused = (await models.schedules
    .findOneAndUpdate(
      { _id: counted._id, tenant_id: counted.tenant_id, status: 'active', version: counted.version },
      {
        $set: { status: 'paused', paused_reason: reason, paused_at: now, consecutive_failures: 0, updated_at: now },
        $inc: { version: 1 },
      },
      { returnDocument: 'after' },
    )
    .lean()) as ScheduleWithId | null;
  if (!paused) return false; // changed meanwhile (paused, updated or deleted through the API)
  log.warn({ scheduleId: paused._id.toString(), tenantId: paused.tenant_id, streak, since }, 'schedule auto-paused');
  await deps.cancelPlanned(deps, paused, reason, now);
  return true;
}

/** When the streak began: the finish time of the oldest of the schedule's last `streak` failures. */
async function streakStart(
  models: Pick<Models, 'archivedEvents'>,
  schedule: ScheduleWithId,
  streak: number,
  now: Date,
): Promise<Date> {
  const failures = await models.archivedEvents
    .find({ tenant_id: schedule.tenant_id, schedule_id: schedule._id, status: 'failed' })
    .sort({ finished_at: -1 })
    .limit(streak)
    .lean();
  return failures.at(-1)?.finished_at ?? now;
}
