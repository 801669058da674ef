import type { Logger } from '@event-scheduler/logging';
import { type createRedis, QUEUE_NAMES } from '@event-scheduler/queues';
import { Worker } from 'bullmq';
import type { DispatchService } from './dispatch.service.js';
import type { DispatcherMetrics } from './metrics.js';
import { createDispatchProcessor } from './processors/dispatch.processor.js';

export interface DispatcherWorkerOptions {
  /** A consumer connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  connection: ReturnType<typeof createRedis>;
  prefix: string;
  service: DispatchService;
  log: Logger;
  /** Outcome counts and hand-off lateness, on /metrics. */
  metrics: DispatcherMetrics;
  /** Jobs held at once (dispatcher.concurrency); each waits until due, so this bounds a burst. */
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * The BullMQ worker on ready_queue. Any number of dispatchers may run: BullMQ gives each job to
 * one of them; a dispatcher that dies loses its locks and the stall check of another one takes
 * its jobs. Jobs come due through BullMQ's delayed set (no polling loop of our own).
 */
export function createDispatcherWorker(options: DispatcherWorkerOptions): Worker {
  const { log } = options;
  const worker = new Worker(QUEUE_NAMES.ready, createDispatchProcessor(options.service, log, options.metrics), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: 2,
  });
  worker.on('error', (error) => log.error({ err: error }, 'dispatcher worker error'));
  worker.on('failed', (job, error) =>
    log.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'dispatch job failed'),
  );
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'dispatch job stalled; another dispatcher takes it'));
  return worker;
}

/**
 * Stops taking jobs and waits for the held ones to be handed off (each is due within the lead),
 * up to `deadlineMs`; past it, closes without waiting: the unfinished jobs stall and another
 * dispatcher (or this one, restarted) releases them.
 */
export async function drainDispatcher(worker: Worker, deadlineMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    log.warn({ deadlineMs }, 'jobs still held at the drain deadline; leaving them to the stall check');
    await worker.close(true);
  }
}
