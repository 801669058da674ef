import type { EventKind, EventRecord } from '@event-scheduler/models';
import { insertNewEvents, newEventDoc } from '@event-scheduler/models';
import { enqueue } from '@event-scheduler/queues';
import { dispatchItem } from './jobs.js';
import type { PlanningDeps, ScheduleWithId } from './types.js';

/** A manual trigger that lands on the same millisecond as another event moves this far, this many times. */
const MANUAL_BUMP_MS = 1;
const MANUAL_BUMP_TRIES = 20;

/**
 * Adds extra events: one `manual` event (POST .../trigger; its instant is `occurrences[0]`,
 * normally now) or `backfill` events for past instants, sent through the dispatcher `paceMs`
 * apart (default 0). They are ordinary events, unique on (schedule, instant): a manual trigger
 * that collides with an occurrence at the same millisecond moves 1 ms later; a backfill instant
 * that already has a live event is left out. Returns the ids of the events created.
 */
export async function addExtraEvents(
  deps: Pick<PlanningDeps, 'models' | 'queues' | 'log'>,
  schedule: ScheduleWithId,
  occurrences: Date[],
  kind: Exclude<EventKind, 'rule'>,
  { now, paceMs = 0 }: { now: Date; paceMs?: number },
): Promise<{ eventIds: string[] }> {
  const message = kind === 'manual' ? 'triggered manually' : 'backfill requested';
  let pending = occurrences.map((at) => newEventDoc(schedule, at, kind, now, message));
  const created: EventRecord[] = [];
  for (let tries = 0; pending.length > 0; tries++) {
    const inserted = await insertNewEvents(deps.models, pending);
    created.push(...inserted);
    if (kind !== 'manual' || tries >= MANUAL_BUMP_TRIES) break;
    const done = new Set(inserted.map((e) => e._id.toHexString()));
    pending = pending
      .filter((e) => !done.has(e._id.toHexString()))
      .map((e) => ({ ...e, occurrence_at: new Date(e.occurrence_at.getTime() + MANUAL_BUMP_MS) }));
  }
  created.sort((a, b) => a.occurrence_at.getTime() - b.occurrence_at.getTime());
  // No lead for extra events: they are due now (or past), and the dispatcher sends past ones at once.
  await enqueue(
    deps.queues,
    'dispatch',
    created.map((event, i) => dispatchItem(event, now, 0, i * paceMs)),
  );
  deps.log.info({ scheduleId: schedule._id.toHexString(), kind, count: created.length }, 'extra events added');
  return { eventIds: created.map((e) => e._id.toHexString()) };
}
