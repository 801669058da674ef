import { parseBatch, WORKER_QUEUE } from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import type { createRedis } from '@event-scheduler/queues';
import { type Job, Worker } from 'bullmq';
import type { BatchContext, BatchService } from './delivery/batch.service.js';

export interface DeliveryWorkerOptions {
  /** A consumer connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  connection: ReturnType<typeof createRedis>;
  /** The shard's hash-tagged queue prefix. */
  prefix: string;
  service: Pick<BatchService, 'run'>;
  log: Logger;
  /** Batches held at once in this process (worker.count). */
  concurrency: number;
  /** The job lock, renewed every half of it while a batch runs (worker.lock_duration_ms). */
  lockDurationMs: number;
  /** How often BullMQ looks for batches whose worker died (worker.stalled_interval_ms). */
  stalledIntervalMs: number;
  /** Recoveries of one batch before BullMQ fails it (worker.max_stalled_count). */
  maxStalledCount: number;
}

/**
 * The batch processor: validates the job (a malformed one fails for good), then delivers it. A
 * batch that runs again (its worker died, or recording failed) knows from the job's progress, a
 * count in Redis that each run raises just before it fires, how many earlier runs may have sent
 * what they held: the sends still without an outcome go as the next attempt. A run that failed
 * before firing (the database away while it opened the batch) counts for nothing.
 */
export function createBatchProcessor(service: Pick<BatchService, 'run'>, log: Logger) {
  return async (job: Job, _token?: string, signal?: AbortSignal) => {
    const { sends, takenAt } = parseBatch(job);
    const lostRuns = firedRuns(job.progress);
    const ctx: BatchContext = {
      log: log.child({ jobId: job.id }),
      ...(signal ? { signal } : {}),
      firing: () => job.updateProgress(lostRuns + 1),
    };
    const outcomes = await service.run(sends, { takenAt: new Date(takenAt), lostRuns }, ctx);
    return { sent: outcomes.length };
  };
}

/**
 * The BullMQ worker on one shard's worker_queue. Any number of processes may run one: BullMQ
 * hands each batch to one of them, and when a process dies its lock expires and the stall check
 * of a surviving worker runs the batch again.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): Worker {
  const { log } = options;
  const worker = new Worker(WORKER_QUEUE, createBatchProcessor(options.service, log), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
  });
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) =>
    log.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'delivery batch failed'),
  );
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'delivery batch stalled; it runs again'));
  return worker;
}

/**
 * Stops taking batches and waits for the ones in flight, up to `deadlineMs`; past it, aborts them
 * (each records an `aborted` attempt and schedules its retry) and waits for that. BullMQ's own
 * `close()` would wait forever, and a second `close(true)` does not interrupt the first.
 */
export async function drainWorkers(workers: Worker[], deadlineMs: number, log: Logger): Promise<void> {
  const closing = Promise.all(workers.map((w) => w.close()));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  const outcome = await Promise.race([closing.then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    log.warn({ deadlineMs }, 'batches still running at the drain deadline; aborting them');
    for (const w of workers) w.cancelAllJobs('worker shutting down');
    await closing;
  }
}

/** Runs of a batch that fired, as its job's progress counts them (0 before any). */
export function firedRuns(progress: unknown): number {
  return typeof progress === 'number' && Number.isSafeInteger(progress) && progress > 0 ? progress : 0;
}
