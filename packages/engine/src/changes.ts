import { planIdOf, type ScheduleRecord, startPlan, updateScheduleIfVersion } from '@event-scheduler/models';
import type { Engine } from './context.js';
import { cancelPlan } from './planning/cancel.js';
import { planSchedules } from './planning/plan.js';
import { snapshotOf } from './snapshot.js';

/** The next occurrence after `after` of a stored rule, or null (used up, or cannot be expanded). */
export function nextOccurrence(engine: Pick<Engine, 'rules'>, schedule: ScheduleRecord, after: Date): Date | null {
  const rule = engine.rules.compile(schedule);
  if ('error' in rule) return null;
  try {
    return rule.next(after);
  } catch {
    return null;
  }
}

/** Starts the plan of the schedule's current version (an insert: it never overwrites progress). */
export async function startPlanOf(
  engine: Pick<Engine, 'models' | 'rules'>,
  schedule: ScheduleRecord,
  now: Date,
): Promise<void> {
  const after = new Date(Math.max(now.getTime(), schedule.not_before.getTime()));
  await startPlan(engine.models, schedule, nextOccurrence(engine, schedule, after));
}

/**
 * How long after a change is announced its new version starts to govern instants: long enough for
 * every dispatcher and worker to have heard of it (Redis pub/sub, then their event loops). An
 * instant before that was planned under the old version; a holder that has not heard yet fires
 * it, one that has drops it: it goes out once or not at all (guarantee 2 of docs/reliability.md),
 * never under both versions. The change is answered only once this moment has passed.
 */
export const CHANGE_SETTLE_MS = 250;

/**
 * What follows a stored change of a schedule (a create, an update, a pause, a resume, a delete,
 * an auto-pause), in this order, before the change is acknowledged:
 * 1. its snapshot is stored and the change announced, so dispatchers and workers stop sending
 *    what no longer applies at once (a worker drops the sends it holds of older versions);
 * 2. an active schedule gets the plan of its new version, governing from {@link CHANGE_SETTLE_MS}
 *    after the announcement;
 * 3. what was planned and should no longer fire (the one rule) is cancelled;
 * 4. an active schedule is planned at once, so an occurrence seconds away fires on time (a
 *    failure there is logged: the prequeuer's tick plans it anyway);
 * 5. the answer waits, if need be, until the new version governs.
 */
export async function applyChange(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'rules' | 'log' | 'windowMs' | 'leadMs'>,
  schedule: ScheduleRecord,
  reason: string,
  now: Date,
): Promise<void> {
  const scheduleId = schedule._id.toHexString();
  await engine.snapshots.announce(scheduleId, snapshotOf(schedule));
  const active = schedule.status === 'active' && !schedule.deleted_at;
  // The new version governs from its announcement plus the settle time, not from the request's
  // own time: planning from `now` would plan again an instant that a holder that had not heard
  // of the change yet fires under the old version (two events, two webhook-ids).
  const governsFrom = new Date(Math.max(now.getTime(), Date.now()) + CHANGE_SETTLE_MS);
  const fresh = { ...schedule, not_before: new Date(Math.max(schedule.not_before.getTime(), governsFrom.getTime())) };
  if (active) await startPlanOf(engine, fresh, now);
  await cancelPlan(engine, schedule, reason, now);
  if (active) await planNow(engine, fresh, now);
  const early = governsFrom.getTime() - Date.now();
  if (active && early > 0) await new Promise((resolve) => setTimeout(resolve, early));
}

/**
 * Plans a schedule's window at once, so an occurrence seconds away fires on time; a failure is
 * logged (the prequeuer's tick plans it anyway). `first: true` for a new schedule: its plan is
 * inserted with the cursor this planning reached, so a create costs the database three inserts
 * (the schedule, the events due within the window, the plan) and no update.
 */
export async function planNow(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'rules' | 'log' | 'windowMs' | 'leadMs'>,
  schedule: ScheduleRecord,
  now: Date,
  { first = false }: { first?: boolean } = {},
): Promise<void> {
  const scheduleId = schedule._id.toHexString();
  try {
    await planSchedules(
      engine,
      [{ schedule, plan: { _id: planIdOf(schedule._id, schedule.version), cursor: null, next_run_at: null } }],
      now,
      { first },
    );
  } catch (error) {
    engine.log.warn({ err: error, scheduleId }, 'planning at once failed; the tick will plan it');
  }
}

/**
 * Pauses a schedule whose occurrences failed `streak` times in a row (max_consecutive_failures),
 * if nobody changed it meanwhile: status `paused` with a reason saying since when, version
 * bumped, then {@link applyChange}. Returns the paused schedule, or null when it had changed.
 */
export async function autoPause(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'rules' | 'log' | 'windowMs' | 'leadMs'>,
  schedule: ScheduleRecord,
  { streak, since, now }: { streak: number; since: Date; now: Date },
): Promise<ScheduleRecord | null> {
  if (schedule.status !== 'active' || schedule.deleted_at) return null;
  const reason = `auto-paused after ${streak} consecutive failures since ${since.toISOString()}`;
  const paused = await updateScheduleIfVersion(engine.models, schedule.tenant_id, schedule._id, schedule.version, {
    $set: { status: 'paused', paused_reason: reason, paused_at: now, version: schedule.version + 1, updated_at: now },
  });
  if (!paused) return null;
  engine.log.warn(
    { scheduleId: schedule._id.toHexString(), tenantId: schedule.tenant_id, streak, since },
    'schedule auto-paused',
  );
  await applyChange(engine, paused, reason, now);
  return paused;
}
