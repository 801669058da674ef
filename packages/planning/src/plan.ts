import {
  advancePlanningCursors,
  archiveEvents,
  deleteEvents,
  type EventRecord,
  findArchivedOccurrences,
  findScheduleForPlanning,
  insertNewEvents,
  newEventDoc,
} from '@event-scheduler/models';
import { enqueue } from '@event-scheduler/queues';
import { compileStoredRule, computePlan } from './compute.js';
import { dispatchItem, eventJobId, removeJobs } from './jobs.js';
import type { PlanningDeps, PlanOutcome, ScheduleWithId } from './types.js';

/** How much later than a planner's `now` an already-delivered event could exist (see `dropRecreated`). */
const RECREATE_MARGIN_MS = 1000;

interface SchedulePlan {
  schedule: ScheduleWithId;
  fire: EventRecord[];
  skip: EventRecord[];
  cursor: NonNullable<ScheduleWithId['cursor']>;
  nextRunAt: Date | null;
  complete: boolean;
  partial: boolean;
}

/**
 * Plans a batch of schedules in one pass: one unordered insert for all their new events, one
 * addBulk for their ready_queue jobs, then one conditional cursor update per schedule (sent
 * together). Outcomes are in the order of `schedules`. See `planSchedule` for the guarantees.
 * The caller reads `now` fresh for each batch: job delays are computed from it.
 */
export async function planSchedules(
  deps: PlanningDeps,
  schedules: ScheduleWithId[],
  now: Date,
): Promise<(PlanOutcome & { advanced: boolean })[]> {
  const { models, queues, log, leadMs } = deps;
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    phases[name] = Math.round(t - mark);
    mark = t;
  };
  const plans = new Map<string, SchedulePlan>();
  for (const schedule of schedules) {
    const plan = computeOne(deps, schedule, now);
    if (plan) plans.set(schedule._id.toHexString(), plan);
  }
  const all = [...plans.values()];
  phase('computeMs');
  const inserted = await insertNewEvents(
    models,
    all.flatMap((p) => [...p.fire, ...p.skip]),
  );
  phase('insertMs');
  const kept = await dropRecreated(deps, all, inserted, now);
  phase('recreatedMs');
  const isSkipped = new Set(all.flatMap((p) => p.skip.map((e) => e._id.toHexString())));
  const toSkip = kept.filter((e) => isSkipped.has(e._id.toHexString()));
  const toFire = kept.filter((e) => !isSkipped.has(e._id.toHexString()));
  await archiveEvents(
    models,
    toSkip.map((event) => ({ event, status: 'skipped' as const, message: 'missed: misfire policy' })),
    now,
  );
  phase('archiveMs');
  await enqueue(
    queues,
    'dispatch',
    toFire.map((event) => dispatchItem(event, now, leadMs)),
  );
  phase('enqueueMs');
  // A plan that found nothing in the window and whose next run lies beyond it changes nothing a
  // tick would look at: no cursor write (a schedule created for later costs no update).
  const windowEnd = now.getTime() + deps.windowMs;
  const unchanged = (p: SchedulePlan) =>
    p.fire.length === 0 &&
    p.skip.length === 0 &&
    !p.complete &&
    !p.partial &&
    p.nextRunAt !== null &&
    p.nextRunAt.getTime() > windowEnd &&
    p.nextRunAt.getTime() === p.schedule.next_run_at?.getTime();
  const missed = await advancePlanningCursors(
    models,
    all
      .filter((p) => !unchanged(p))
      .map((p) => ({
        schedule: p.schedule,
        cursor: p.cursor,
        nextRunAt: p.nextRunAt,
        ...(p.complete ? { status: 'completed' as const } : {}),
      })),
    now,
  );
  phase('cursorsMs');
  await undoStale(
    deps,
    missed.map((id) => plans.get(id.toHexString())).filter((p) => p !== undefined),
    kept,
    now,
  );
  const plannedBySchedule = new Map<string, number>();
  for (const event of toFire) {
    const key = event.schedule_id.toHexString();
    plannedBySchedule.set(key, (plannedBySchedule.get(key) ?? 0) + 1);
  }
  const missedIds = new Set(missed.map((id) => id.toHexString()));
  if (toFire.length > 0 || toSkip.length > 0)
    log.debug(
      { schedules: all.length, planned: toFire.length, skipped: toSkip.length, ...phases },
      'schedules planned',
    );
  return schedules.map((s) => {
    const key = s._id.toHexString();
    const plan = plans.get(key);
    return {
      planned: plannedBySchedule.get(key) ?? 0,
      completed: Boolean(plan?.complete) && !missedIds.has(key),
      // Its next run moved past this pass's window (false: no plan, or a partial catch-up).
      advanced: plan !== undefined && !plan.partial,
    };
  });
}

function computeOne(deps: PlanningDeps, schedule: ScheduleWithId, now: Date): SchedulePlan | undefined {
  if (schedule.status !== 'active' || schedule.deleted_at) return undefined;
  const rule = compileStoredRule(schedule, now, deps.limits);
  if ('error' in rule) {
    deps.log.error({ scheduleId: schedule._id.toHexString(), error: rule.error }, 'stored rule does not compile');
    return undefined;
  }
  const plan = computePlan(schedule, rule, now, { windowMs: deps.windowMs });
  if (plan.uncountedSkips > 0)
    deps.log.warn(
      { scheduleId: schedule._id.toHexString(), skipped: plan.uncountedSkips },
      'missed occurrences skipped without a record each',
    );
  const fire: EventRecord[] = [];
  const skip: EventRecord[] = [];
  for (const { at, fate } of plan.occurrences) {
    if (fate === 'fire') fire.push(newEventDoc(schedule, at, 'rule', now, 'planned'));
    else skip.push(newEventDoc(schedule, at, 'rule', now, 'planned after its misfire grace'));
  }
  return { schedule, fire, skip, ...plan };
}

/**
 * Deletes events this pass inserted that existed before and were archived already (delivered,
 * skipped or cancelled): a planner working from a stale read can insert an occurrence again once
 * the first copy has left `events`, and the unique index no longer sees it. Only occurrences that
 * could have finished are checked (due by now plus the dispatcher's lead), which in steady state
 * is none: new occurrences enter the window far ahead. The first copy is archived before it is
 * deleted from `events`, so an insert that succeeded after the deletion always finds it here.
 */
async function dropRecreated(
  deps: PlanningDeps,
  plans: SchedulePlan[],
  inserted: EventRecord[],
  now: Date,
): Promise<EventRecord[]> {
  const horizon = Math.max(now.getTime(), Date.now()) + deps.leadMs + RECREATE_MARGIN_MS;
  const suspects = new Map<string, EventRecord[]>();
  for (const event of inserted) {
    if (event.occurrence_at.getTime() > horizon) continue;
    const key = event.schedule_id.toHexString();
    suspects.set(key, [...(suspects.get(key) ?? []), event]);
  }
  if (suspects.size === 0) return inserted;
  const bySchedule = new Map(plans.map((p) => [p.schedule._id.toHexString(), p.schedule]));
  const recreated: EventRecord[] = [];
  await Promise.all(
    [...suspects].map(async ([key, events]) => {
      const schedule = bySchedule.get(key);
      if (!schedule) return;
      const times = events.map((e) => e.occurrence_at.getTime());
      const archived = await findArchivedOccurrences(
        deps.models,
        schedule,
        new Date(Math.min(...times)),
        new Date(Math.max(...times)),
      );
      for (const event of events) if (archived.has(event.occurrence_at.getTime())) recreated.push(event);
    }),
  );
  if (recreated.length === 0) return inserted;
  await deleteEvents(
    deps.models,
    recreated.map((e) => e._id),
  );
  deps.log.info({ count: recreated.length }, 'dropped occurrences planned again after they had finished');
  const drop = new Set(recreated.map((e) => e._id.toHexString()));
  return inserted.filter((e) => !drop.has(e._id.toHexString()));
}

/**
 * A cursor update that matched nothing means the schedule changed since it was read. When its
 * version moved on, or it was paused or deleted, the events this pass inserted under the old
 * version are cancelled here (the API's own cancellation may have run before they existed).
 */
async function undoStale(deps: PlanningDeps, stale: SchedulePlan[], inserted: EventRecord[], now: Date) {
  if (stale.length === 0) return;
  const mine = new Set(inserted.map((e) => e._id.toHexString()));
  for (const plan of stale) {
    const current = await findScheduleForPlanning(deps.models, plan.schedule.tenant_id, plan.schedule._id);
    const stillValid =
      current &&
      (current.status === 'active' || current.status === 'completed') &&
      !current.deleted_at &&
      current.version === plan.schedule.version;
    if (stillValid) continue;
    const events = plan.fire.filter((e) => mine.has(e._id.toHexString()));
    if (events.length === 0) continue;
    await archiveEvents(
      deps.models,
      events.map((event) => ({ event, status: 'cancelled' as const, message: 'schedule changed while planning' })),
      now,
    );
    await removeJobs(deps.queues, events.map(eventJobId));
    deps.log.info(
      { scheduleId: plan.schedule._id.toHexString(), count: events.length },
      'cancelled events planned under a stale version',
    );
  }
}
