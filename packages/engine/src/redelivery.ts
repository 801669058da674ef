import {
  type ArchivedEventRecord,
  deleteArchivedEvent,
  type EventRecord,
  findArchivedEvent,
  findLiveEvent,
  reviveForRedelivery,
  type ScheduleRecord,
} from '@event-scheduler/models';
import type { Types } from 'mongoose';
import type { Engine } from './context.js';
import { sendOf } from './events.js';
import { advance } from './lifecycle.js';
import { snapshotOf } from './snapshot.js';

/** One of a tenant's events as it stands: its archived outcome wins over a live copy not yet purged. */
export type FoundEvent = { archived: true; event: ArchivedEventRecord } | { archived: false; event: EventRecord };

export async function findEvent(
  engine: Pick<Engine, 'models'>,
  tenantId: string,
  id: Types.ObjectId,
): Promise<FoundEvent | null> {
  const archived = await findArchivedEvent(engine.models, tenantId, id);
  if (archived) return { archived: true, event: archived };
  const live = await findLiveEvent(engine.models, tenantId, id.toHexString());
  return live ? { archived: false, event: live } : null;
}

/** A live event waiting for a redelivery the user asked for (not yet sent). */
export const isRedeliveryPending = (e: EventRecord) => e.status === 'scheduled' && (e.round ?? 0) > 0;

/**
 * Delivers a failed event again, as a new round (a field, `round`, not a message): its attempts
 * are kept and continue (x-attempt keeps counting), the retry policy counts afresh, and a later
 * edit of the schedule does not cancel it (a pause or delete does). Crash-safe: the live copy is
 * written first, then the archived outcome deleted, then the send planned (reconciliation plans
 * it if that last step is lost). Returns the live event.
 */
export async function redeliver(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots'>,
  archived: ArchivedEventRecord,
  schedule: ScheduleRecord,
  now: Date,
): Promise<EventRecord> {
  const { archived_at: _archivedAt, ...event } = archived;
  const live: EventRecord = {
    ...event,
    status: 'scheduled',
    history: advance(event.history, { time: now, status: 'scheduled', message: 'redelivery requested' }),
    next_attempt_at: now,
    round: (event.round ?? 0) + 1,
    round_start: event.attempts.length,
    finished_at: null,
    updated_at: now,
  };
  await reviveForRedelivery(engine.models, live);
  await deleteArchivedEvent(engine.models, archived._id);
  await replan(engine, live, schedule);
  return live;
}

/** Plans a pending redelivery's send again (idempotent: the same send is kept once). */
export async function replan(
  engine: Pick<Engine, 'timeline' | 'snapshots'>,
  live: EventRecord,
  schedule: ScheduleRecord,
): Promise<void> {
  await engine.snapshots.put([{ scheduleId: schedule._id.toHexString(), snapshot: snapshotOf(schedule) }]);
  await engine.timeline.add([sendOf(live)]);
}
