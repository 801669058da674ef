import { findSchedulesByIds } from '@event-scheduler/models';
import { Types } from 'mongoose';
import type { Engine } from './context.js';
import { type ScheduleSnapshot, snapshotOf } from './snapshot.js';

/**
 * The snapshots of these schedules: from Redis (one round trip), and for those missing there
 * (Redis lost them, or they expired) from the database, put back for the next reader. A schedule
 * found nowhere is absent from the result: to {@link verdictOf} it is deleted.
 */
export async function loadSnapshots(
  engine: Pick<Engine, 'models' | 'snapshots'>,
  scheduleIds: readonly string[],
): Promise<Map<string, ScheduleSnapshot>> {
  const found = await engine.snapshots.get(scheduleIds);
  const missing = [...new Set(scheduleIds)].filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const stored = await findSchedulesByIds(
    engine.models,
    missing.map((id) => new Types.ObjectId(id)),
  );
  const entries = stored.map((s) => ({ scheduleId: s._id.toHexString(), snapshot: snapshotOf(s) }));
  await engine.snapshots.put(entries);
  // Read back: a newer version may have been announced meanwhile, and the store keeps the newest.
  const settled = await engine.snapshots.get(entries.map((e) => e.scheduleId));
  for (const { scheduleId, snapshot } of entries) found.set(scheduleId, settled.get(scheduleId) ?? snapshot);
  return found;
}
