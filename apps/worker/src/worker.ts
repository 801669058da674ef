import type { Logger } from '@event-scheduler/logging';
import { type createRedis, QUEUE_NAMES } from '@event-scheduler/queues';
import { Worker } from 'bullmq';
import type { DeliveryService } from './delivery/delivery.service.js';
import { createDeliverCallbackProcessor } from './processors/deliver-callback.processor.js';

export interface DeliveryWorkerOptions {
  /** A consumer connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  connection: ReturnType<typeof createRedis>;
  prefix: string;
  service: Pick<DeliveryService, 'deliver'>;
  log: Logger;
  /** Callbacks at once in this process (worker.count). */
  concurrency: number;
  /** The job lock, renewed every half of it while a callback runs (worker.lock_duration_ms). */
  lockDurationMs: number;
  /** How often jobs of dead workers are looked for (worker.stalled_interval_ms). */
  stalledIntervalMs: number;
  /** Recoveries of one job before BullMQ fails it (worker.max_stalled_count). */
  maxStalledCount: number;
}

/**
 * The BullMQ worker on worker_queue. Any number of processes may run one: BullMQ hands each job
 * to one of them, and when a process dies mid-callback its lock expires and the stall check of a
 * surviving worker (or of the restarted one) runs the job again.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): Worker {
  const { log } = options;
  const worker = new Worker(QUEUE_NAMES.worker, createDeliverCallbackProcessor(options.service, log), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
  });
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) =>
    log.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'delivery job failed'),
  );
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'delivery job stalled; it runs again'));
  return worker;
}

/**
 * Stops taking jobs and waits for the callbacks in flight, up to `deadlineMs`; past it, aborts
 * them (each records an `aborted` attempt and schedules its retry) and waits for that. BullMQ's
 * own `close()` would wait forever, and a second `close(true)` does not interrupt the first.
 */
export async function drainWorker(worker: Worker, deadlineMs: number, log: Logger): Promise<void> {
  const closing = worker.close();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  const outcome = await Promise.race([closing.then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    log.warn({ deadlineMs }, 'callbacks still running at the drain deadline; aborting them');
    worker.cancelAllJobs('worker shutting down');
    await closing;
  }
}
