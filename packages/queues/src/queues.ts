import { type Job, Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { Compile, type Validator } from 'typebox/compile';
import Value from 'typebox/value';
import { JOBS, type JobName, type JobPayload, type QueueName } from './catalog.js';

export interface QueueSet {
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

/** One `Queue` per name on a shared producer connection, all under the deployment's key prefix. */
export function createQueues({ connection, prefix }: { connection: Redis; prefix: string }): QueueSet {
  const queues = new Map<QueueName, Queue>();
  return {
    queue(name) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, { connection, prefix });
        queues.set(name, queue);
      }
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export interface EnqueueItem<N extends JobName> {
  jobId: string;
  payload: JobPayload<N>;
  /** Milliseconds from now; 0 or absent for at once. */
  delay?: number;
}

/** Adds jobs of one kind in one round trip, with the catalog's options and deterministic ids. */
export async function enqueue<N extends JobName>(queues: QueueSet, name: N, items: EnqueueItem<N>[]): Promise<void> {
  if (items.length === 0) return;
  const definition = JOBS[name];
  await queues.queue(definition.queue).addBulk(
    items.map((item) => ({
      name,
      data: item.payload,
      opts: { ...definition.options, jobId: item.jobId, ...(item.delay ? { delay: Math.max(0, item.delay) } : {}) },
    })),
  );
}

/** Compiled once per job kind: every job is checked, and interpreting the schema each time cost several % of a busy worker's CPU. */
const validators = new Map<JobName, Validator>();
function validatorFor(name: JobName): Validator {
  let validator = validators.get(name);
  if (!validator) {
    validator = Compile(JOBS[name].payload) as Validator;
    validators.set(name, validator);
  }
  return validator;
}

/**
 * Consumers call this first: a payload that does not match its schema can never succeed, so it
 * fails permanently (UnrecoverableError) with the reasons, instead of being retried.
 */
export function parseJob<N extends JobName>(name: N, job: Pick<Job, 'data' | 'id'>): JobPayload<N> {
  const schema = JOBS[name].payload;
  if (validatorFor(name).Check(job.data)) return job.data as JobPayload<N>;
  const reasons = Value.Errors(schema, job.data)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
  throw new UnrecoverableError(`job ${job.id} has an invalid ${name} payload: ${reasons}`);
}
