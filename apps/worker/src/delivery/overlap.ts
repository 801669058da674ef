import type { EventRecord, Models } from '@event-scheduler/models';
import { QUEUE_NAMES, type QueueSet } from '@event-scheduler/queues';
import type { DeliverySchedule } from './delivery.service.js';
import type { EventWrites } from './event-writes.js';
import { retryJobId } from './job-ids.js';

export interface OverlapDeps {
  models: Pick<Models, 'events'>;
  queues: QueueSet;
  writes: EventWrites;
}

/**
 * Applies the schedule's overlap policy when an occurrence comes due while an older one of the
 * same schedule is still `delivering` or waiting for a retry:
 * - `allow`: both proceed (no query at all);
 * - `skip`: this occurrence is recorded `skipped`;
 * - `cancel_previous`: the older ones lose their remaining retries (their delayed retry job is
 *   removed) and are recorded `cancelled` as superseded; an attempt still running for one of them
 *   finishes, and its record is attached to the archived event.
 * Returns what happened to this occurrence and how many older ones were superseded.
 */
export async function applyOverlapPolicy(
  deps: OverlapDeps,
  event: EventRecord,
  schedule: Pick<DeliverySchedule, 'overlap_policy'>,
  now: Date,
): Promise<{ proceed: boolean; superseded: number }> {
  if (schedule.overlap_policy === 'allow') return { proceed: true, superseded: 0 };
  const older = (await deps.models.events
    .find({
      tenant_id: event.tenant_id,
      schedule_id: event.schedule_id,
      _id: { $ne: event._id },
      status: { $in: ['delivering', 'retry_scheduled'] },
      occurrence_at: { $lt: event.occurrence_at },
    })
    .lean()) as EventRecord[];
  if (older.length === 0) return { proceed: true, superseded: 0 };
  const at = event.occurrence_at.toISOString();
  if (schedule.overlap_policy === 'skip') {
    const previous = older.map((e) => e.occurrence_at.toISOString()).join(', ');
    const message = `skipped: the previous occurrence (${previous}) is still being delivered`;
    await deps.writes.finish([{ event, status: 'skipped', message }], now);
    return { proceed: false, superseded: 0 };
  }
  const queue = deps.queues.queue(QUEUE_NAMES.worker);
  await Promise.all(
    older
      .filter((e) => e.status === 'retry_scheduled')
      .map((e) => queue.remove(retryJobId(e, e.attempts.length + 1)).catch(() => 0)),
  );
  const message = `superseded by the occurrence at ${at}; remaining retries dropped`;
  await deps.writes.finish(
    older.map((e) => ({ event: e, status: 'cancelled' as const, message })),
    now,
  );
  return { proceed: true, superseded: older.length };
}
