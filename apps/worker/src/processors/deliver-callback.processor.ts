import type { Logger } from '@event-scheduler/logging';
import { parseJob } from '@event-scheduler/queues';
import { type Job, UnrecoverableError } from 'bullmq';
import type { DeliveryService, JobResult } from '../delivery/delivery.service.js';

/**
 * The worker_queue processor: validates the payload (a malformed one fails for good), then runs
 * one delivery attempt. HTTP failures are recorded and retried by the service itself, so the job
 * only throws when the attempt could not be recorded (database or Redis away), and BullMQ runs it
 * again (the catalog's `attempts`). It takes the job's AbortSignal (third parameter) so a shutdown
 * past its deadline can stop the callback.
 */
export function createDeliverCallbackProcessor(service: Pick<DeliveryService, 'deliver'>, log: Logger) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<JobResult> => {
    if (job.name !== 'deliver') throw new UnrecoverableError(`worker_queue has no job type ${job.name}`);
    const payload = parseJob('deliver', job);
    const jobLog = log.child({ jobId: job.id, eventId: payload.event_id, scheduleId: payload.schedule_id });
    return service.deliver(payload, { log: jobLog, ...(signal ? { signal } : {}) });
  };
}
