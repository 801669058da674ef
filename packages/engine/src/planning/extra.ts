import { deleteLiveEvents, type EventRecord, insertPlannedEvents, type ScheduleRecord } from '@event-scheduler/models';
import type { Engine } from '../context.js';
import { plannedEvent, sendOf } from '../events.js';
import type { OccurrenceKind } from '../occurrence.js';
import { snapshotOf } from '../snapshot.js';

/** A manual trigger that lands on the same millisecond as another one moves this far, this many times. */
const MANUAL_BUMP_MS = 1;
const MANUAL_BUMP_TRIES = 20;

/**
 * Adds extra events: one `manual` event (POST .../trigger; its instant is `occurrences[0]`,
 * normally now) or `backfill` events for past instants, sent `paceMs` apart from now (default 0).
 * They are ordinary events with ids derived from their instant and kind: a second manual trigger
 * on the same millisecond moves 1 ms later; a backfill instant backfilled before is left out.
 * Returns the ids of the events created, which go to the timeline at once (due now or soon).
 */
export async function addExtraEvents(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'log'>,
  schedule: ScheduleRecord,
  occurrences: Date[],
  kind: Exclude<OccurrenceKind, 'rule'>,
  { now, paceMs = 0 }: { now: Date; paceMs?: number },
): Promise<{ eventIds: string[] }> {
  const message = kind === 'manual' ? 'triggered manually' : 'backfill requested';
  const dueOf = (i: number) => new Date(now.getTime() + i * paceMs);
  let pending = occurrences.map((at, i) =>
    plannedEvent(schedule, at, kind, now, message, kind === 'manual' ? at : dueOf(i)),
  );
  const created: EventRecord[] = [];
  for (let tries = 0; pending.length > 0; tries++) {
    const inserted = await insertPlannedEvents(engine.models, pending);
    created.push(...inserted);
    if (kind !== 'manual' || tries >= MANUAL_BUMP_TRIES) break;
    const done = new Set(inserted.map((e) => e._id.toHexString()));
    pending = pending
      .filter((e) => !done.has(e._id.toHexString()))
      .map((e) => plannedEvent(schedule, new Date(e.occurrence_at.getTime() + MANUAL_BUMP_MS), kind, now, message));
  }
  created.sort((a, b) => a.occurrence_at.getTime() - b.occurrence_at.getTime());
  try {
    await engine.snapshots.put([{ scheduleId: schedule._id.toHexString(), snapshot: snapshotOf(schedule) }]);
    await engine.timeline.add(created.map(sendOf));
  } catch (error) {
    // Not planned (Redis away): take the events back, so a trigger the caller sees fail does not
    // fire later through reconciliation (and fire twice when the caller tries again).
    await deleteLiveEvents(
      engine.models,
      created.map((e) => e._id),
    ).catch(() => undefined);
    throw error;
  }
  engine.log.info({ scheduleId: schedule._id.toHexString(), kind, count: created.length }, 'extra events added');
  return { eventIds: created.map((e) => e._id.toHexString()) };
}
