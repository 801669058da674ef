import type { EventRecord } from '@event-scheduler/models';
import { occurrenceJobId } from '@event-scheduler/queues';

/**
 * The worker_queue job id of an event's attempt `number` when it is a retry:
 * `<occurrence job id>-a<number>`. Attempt numbers only grow (a redelivery continues them), so the
 * id is unique per attempt and derivable from the event alone, which lets the overlap policy find
 * and remove an event's pending retry.
 */
export function retryJobId(event: Pick<EventRecord, 'schedule_id' | 'occurrence_at'>, number: number): string {
  return `${occurrenceJobId(event.schedule_id.toString(), event.occurrence_at)}-a${number}`;
}
