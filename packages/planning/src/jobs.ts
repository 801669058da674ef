import type { EventRecord } from '@event-scheduler/models';
import {
  type EnqueueItem,
  type JobPayload,
  occurrenceJobId,
  QUEUE_NAMES,
  type QueueSet,
} from '@event-scheduler/queues';

/** The job payload of an event: ids and version only; consumers re-read the rest. */
export function occurrencePayload(event: EventRecord): JobPayload<'dispatch'> {
  return {
    tenant_id: event.tenant_id,
    event_id: event._id.toHexString(),
    schedule_id: event.schedule_id.toHexString(),
    schedule_version: event.schedule_version,
    occurrence_at: event.occurrence_at.toISOString(),
  };
}

/** The ready_queue (and first worker_queue) job id of an event. */
export function eventJobId(event: Pick<EventRecord, 'schedule_id' | 'occurrence_at'>): string {
  return occurrenceJobId(event.schedule_id.toHexString(), event.occurrence_at);
}

/**
 * A ready_queue job for an event, delayed so that it reaches the dispatcher `leadMs` before the
 * occurrence (at once when that moment is past).
 */
export function dispatchItem(event: EventRecord, now: Date, leadMs: number, extraDelayMs = 0): EnqueueItem<'dispatch'> {
  const delay = Math.max(0, event.occurrence_at.getTime() - leadMs - now.getTime()) + extraDelayMs;
  return { jobId: eventJobId(event), payload: occurrencePayload(event), ...(delay > 0 ? { delay } : {}) };
}

/**
 * Removes jobs by id from ready_queue and worker_queue where they are waiting or delayed. A
 * missing job is fine; an active one is locked by its consumer and cannot be removed, so it is
 * left to that consumer's own schedule-version check.
 */
export async function removeJobs(queues: QueueSet, jobIds: string[]): Promise<void> {
  const targets = [queues.queue(QUEUE_NAMES.ready), queues.queue(QUEUE_NAMES.worker)];
  await Promise.all(jobIds.flatMap((id) => targets.map((queue) => queue.remove(id).catch(() => 0))));
}
