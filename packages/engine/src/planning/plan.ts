import {
  advancePlans,
  deleteLiveEvents,
  type EventRecord,
  findArchivedIds,
  insertOutcomes,
  insertPlannedEvents,
  markScheduleCompleted,
  type PlanCursor,
  type SchedulePlanRecord,
  type ScheduleRecord,
  startPlan,
} from '@event-scheduler/models';
import type { Engine } from '../context.js';
import { archivedEvent, plannedEvent, sendOf } from '../events.js';
import { snapshotOf } from '../snapshot.js';
import { computePlan } from './compute.js';

/** How much later than a planner's `now` an already-delivered event could exist (see `dropRecreated`). */
const RECREATE_MARGIN_MS = 1000;

/** A schedule to plan, with the plan of its current version. */
export interface PlanTarget {
  schedule: ScheduleRecord;
  plan: Pick<SchedulePlanRecord, '_id' | 'cursor' | 'next_run_at'>;
}

export interface PlanOutcome {
  /** Occurrences turned into events by this call (0 when another planner got there first). */
  planned: number;
  /** True when the rule is used up and the schedule was marked `completed`. */
  completed: boolean;
  /** Its next run moved past this pass's window (false: not planned, or a partial catch-up). */
  advanced: boolean;
}

interface Computed {
  target: PlanTarget;
  fire: EventRecord[];
  skip: EventRecord[];
  cursor: PlanCursor;
  nextRunAt: Date | null;
  complete: boolean;
  partial: boolean;
}

/**
 * Plans a batch of schedules in one pass, up to `now + windowMs`: one unordered insert for all
 * their new events (ids derived from the occurrence, so an event planned before is not inserted
 * again), one archive insert for those the misfire policy skips, one round trip adding the rest
 * to the timeline with the schedules' snapshots, then the plans' cursors (a few statements per
 * command). Outcomes are in the order of `targets`. Idempotent: planning the same window twice,
 * or from two planners at once, adds nothing twice. The caller reads `now` fresh for each batch.
 * `first: true` (the API's first planning of a schedule version, which has no plan yet) starts
 * the plan where this planning ended, one insert, so the prequeuer's ticks go on from there
 * without a gap (a plan left to the prequeuer's periodic check started late when that check
 * came after the first window's end, and what fell between was planned late).
 */
export async function planSchedules(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'rules' | 'log' | 'windowMs' | 'leadMs'>,
  targets: readonly PlanTarget[],
  now: Date,
  { first = false }: { first?: boolean } = {},
): Promise<PlanOutcome[]> {
  const { models, timeline, snapshots, log } = engine;
  const computed = new Map<string, Computed>();
  for (const target of targets) {
    const plan = computeOne(engine, target, now);
    if (plan) computed.set(target.plan._id, plan);
  }
  const all = [...computed.values()];
  const inserted = await insertPlannedEvents(
    models,
    all.flatMap((p) => [...p.fire, ...p.skip]),
  );
  const kept = await dropRecreated(engine, inserted, now);
  const skipIds = new Set(all.flatMap((p) => p.skip.map((e) => e._id.toHexString())));
  const toSkip = kept.filter((e) => skipIds.has(e._id.toHexString()));
  const toFire = kept.filter((e) => !skipIds.has(e._id.toHexString()));
  await insertOutcomes(
    models,
    toSkip.map((e) => archivedEvent(e, { status: 'skipped', message: 'missed: misfire policy', now })),
  );
  const firing = new Set(toFire.map((e) => e.schedule_id.toHexString()));
  await snapshots.put(
    all
      .filter((p) => firing.has(p.target.schedule._id.toHexString()))
      .map((p) => ({ scheduleId: p.target.schedule._id.toHexString(), snapshot: snapshotOf(p.target.schedule) })),
  );
  await timeline.add(toFire.map(sendOf));
  // A plan that found nothing in the window and whose next run lies beyond it changes nothing a
  // tick would look at: no cursor write (a schedule created for later costs no update).
  const windowEnd = now.getTime() + engine.windowMs;
  const unchanged = (p: Computed) =>
    p.fire.length === 0 &&
    p.skip.length === 0 &&
    !p.complete &&
    !p.partial &&
    p.nextRunAt !== null &&
    p.nextRunAt.getTime() > windowEnd &&
    p.nextRunAt.getTime() === p.target.plan.next_run_at?.getTime();
  const completed = new Set<string>();
  if (first) await Promise.all(all.map((p) => startPlan(models, p.target.schedule, p.nextRunAt, p.cursor)));
  else
    await advancePlans(
      models,
      all.filter((p) => !unchanged(p)).map((p) => ({ plan: p.target.plan, cursor: p.cursor, nextRunAt: p.nextRunAt })),
      now,
    );
  for (const p of all.filter((c) => c.complete)) {
    if (await markScheduleCompleted(models, p.target.schedule, now)) completed.add(p.target.plan._id);
  }
  if (toFire.length > 0 || toSkip.length > 0)
    log.debug({ schedules: all.length, planned: toFire.length, skipped: toSkip.length }, 'schedules planned');
  return outcomes(targets, computed, toFire, completed);
}

function outcomes(
  targets: readonly PlanTarget[],
  computed: Map<string, Computed>,
  fired: EventRecord[],
  completed: Set<string>,
): PlanOutcome[] {
  const planned = new Map<string, number>();
  for (const e of fired) planned.set(e.schedule_id.toHexString(), (planned.get(e.schedule_id.toHexString()) ?? 0) + 1);
  return targets.map((t) => {
    const c = computed.get(t.plan._id);
    return {
      planned: planned.get(t.schedule._id.toHexString()) ?? 0,
      completed: completed.has(t.plan._id),
      advanced: c !== undefined && !c.partial,
    };
  });
}

function computeOne(
  engine: Pick<Engine, 'rules' | 'log' | 'windowMs'>,
  target: PlanTarget,
  now: Date,
): Computed | undefined {
  const { schedule, plan } = target;
  if (schedule.status !== 'active' || schedule.deleted_at) return undefined;
  const rule = engine.rules.compile(schedule);
  if ('error' in rule) {
    engine.log.error({ scheduleId: schedule._id.toHexString(), error: rule.error }, 'stored rule does not compile');
    return undefined;
  }
  const computed = computePlan(schedule, plan.cursor, rule, now, { windowMs: engine.windowMs });
  if (computed.uncountedSkips > 0)
    engine.log.warn(
      { scheduleId: schedule._id.toHexString(), skipped: computed.uncountedSkips },
      'missed occurrences skipped without a record each',
    );
  const fire: EventRecord[] = [];
  const skip: EventRecord[] = [];
  for (const { at, fate } of computed.occurrences) {
    if (fate === 'fire') fire.push(plannedEvent(schedule, at, 'rule', now, 'planned'));
    else skip.push(plannedEvent(schedule, at, 'rule', now, 'planned after its misfire grace'));
  }
  return { target, fire, skip, ...computed };
}

/**
 * Deletes events this pass inserted that were finished already: a planner working from a stale
 * cursor can insert an occurrence again once its live copy has been purged, and the `_id` index
 * no longer sees it. The archive does (same id: ids are derived from the occurrence and version).
 * Only occurrences that could have finished are checked (due by now plus the lead), which in
 * steady state is none: new occurrences enter the window far ahead. A cancelled event re-planned
 * under a new version has a new id, so it is never mistaken for its cancelled predecessor.
 */
async function dropRecreated(
  engine: Pick<Engine, 'models' | 'leadMs' | 'log'>,
  inserted: EventRecord[],
  now: Date,
): Promise<EventRecord[]> {
  const horizon = Math.max(now.getTime(), Date.now()) + engine.leadMs + RECREATE_MARGIN_MS;
  const suspects = inserted.filter((e) => (e.next_attempt_at ?? e.occurrence_at).getTime() <= horizon);
  if (suspects.length === 0) return inserted;
  const finished = await findArchivedIds(
    engine.models,
    suspects.map((e) => e._id),
  );
  if (finished.size === 0) return inserted;
  const recreated = suspects.filter((e) => finished.has(e._id.toHexString()));
  await deleteLiveEvents(
    engine.models,
    recreated.map((e) => e._id),
  );
  engine.log.info({ count: recreated.length }, 'dropped occurrences planned again after they had finished');
  return inserted.filter((e) => !finished.has(e._id.toHexString()));
}
