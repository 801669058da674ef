import {
  deleteLiveEventsIn,
  findWaitingEventsOfSchedule,
  insertOutcomes,
  type ScheduleRecord,
} from '@event-scheduler/models';
import type { Engine } from '../context.js';
import { archivedEvent, sendOf } from '../events.js';
import { fenceOf, snapshotOf } from '../snapshot.js';
import { verdictOf } from '../verdict.js';

/**
 * Takes back what a schedule has planned that, as the schedule now stands, should no longer fire
 * (the one rule, {@link verdictOf}: an older version's rule occurrences after a change; everything
 * after a pause or delete; a redelivery survives a change but not a pause): removes their sends
 * from the timeline and archives them `cancelled` with `reason`. Sends a worker already holds are
 * dropped by that worker when the change is announced (the caller announces it first); if one was
 * on its way, its attempt is attached to this archive. Returns how many were cancelled.
 */
export async function cancelPlan(
  engine: Pick<Engine, 'models' | 'timeline' | 'log'>,
  schedule: ScheduleRecord,
  reason: string,
  now: Date,
): Promise<number> {
  const fence = fenceOf(snapshotOf(schedule));
  const waiting = await findWaitingEventsOfSchedule(engine.models, schedule);
  const cancelled = waiting.filter((e) => !verdictOf(sendOf(e), fence).fire);
  if (cancelled.length === 0) return 0;
  await engine.timeline.remove(cancelled.map(sendOf));
  await insertOutcomes(
    engine.models,
    cancelled.map((e) => archivedEvent(e, { status: 'cancelled', message: reason, now })),
  );
  // Archived first (the archive wins over a live copy), then the live copies go in one statement:
  // a cancellation is rare, and leaving them to the purge would keep them in every pending read.
  await deleteLiveEventsIn(
    engine.models,
    cancelled.map((e) => e._id),
  );
  engine.log.info(
    { scheduleId: schedule._id.toHexString(), count: cancelled.length, reason },
    'planned events cancelled',
  );
  return cancelled.length;
}
