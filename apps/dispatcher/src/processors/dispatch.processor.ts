import type { Logger } from '@event-scheduler/logging';
import { parseJob } from '@event-scheduler/queues';
import { DelayedError, type Processor } from 'bullmq';
import type { DispatchOutcome, DispatchService } from '../dispatch.service.js';
import type { DispatcherMetrics } from '../metrics.js';

/**
 * ready_queue processor: validates the payload (a bad one fails for good), dispatches, and
 * completes the job only after the hand-off, so a dispatcher killed while holding a job leaves it
 * to BullMQ's stall check and another dispatcher releases it (the deliver job id dedupes a second
 * hand-off). A job that arrived far too early goes back to the delayed set.
 */
export function createDispatchProcessor(service: DispatchService, log: Logger, metrics: DispatcherMetrics): Processor {
  return async (job, token, signal): Promise<DispatchOutcome> => {
    const payload = parseJob('dispatch', job);
    const rerun = job.attemptsStarted > 1 || job.stalledCounter > 0;
    const outcome = await service.dispatch(payload, { signal, rerun });
    metrics.record(outcome);
    if (outcome.kind === 'too_early') {
      log.warn({ jobId: job.id, until: new Date(outcome.until).toISOString() }, 'job arrived too early; delayed again');
      await job.moveToDelayed(outcome.until, token);
      throw new DelayedError();
    }
    return outcome;
  };
}
