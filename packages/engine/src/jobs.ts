import type { Job, JobsOptions } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { decodeOccurrence, type Occurrence } from './occurrence.js';

/** The queue a shard's dispatcher hands batches to (under the shard's hash-tagged prefix). */
export const WORKER_QUEUE = 'worker_queue';
export const DELIVER_JOB = 'deliver';

/**
 * A batch: the sends one dispatcher took for one due second (at most `dispatcher.batch_size`),
 * as timeline members, and when it took them (the `dispatched` moment of their history).
 */
export const DeliverBatch = Type.Object(
  {
    sends: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 10_000 }),
    taken_at: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type DeliverBatch = Static<typeof DeliverBatch>;

/**
 * HTTP failures never fail a batch job: the worker records them and plans retries. `attempts`
 * covers what the worker could not record (database or Redis away): the batch runs again every
 * second for three minutes, so it catches up within a second or two of the database being back
 * (an exponential backoff left it waiting up to half the outage after); a re-run sends only what
 * has no outcome yet, as the next attempt, and a run that fails before firing costs one read.
 * Past three minutes the batch fails, and reconciliation re-plans its sends from the database.
 */
export const DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 180,
  backoff: { type: 'fixed', delay: 1000 },
  // Kept ten minutes after completing, with the count of runs that fired (its progress): should
  // the database lose an outcome it acknowledged (FerretDB v1 did, stopped mid-write, in the
  // fault suite), reconciliation finds the send held by a finished job that fired and sends it
  // again as the next attempt, not as the same one. Also, identical sends handed over again
  // meanwhile map to the same job id, which BullMQ does not add twice.
  removeOnComplete: { age: 600, count: 50_000 },
  removeOnFail: { count: 10_000 },
};

const isBatch = Compile(DeliverBatch);

/** Checks a batch job first: one that does not fit can never succeed, so it fails for good. */
export function parseBatch(job: Pick<Job, 'data' | 'id' | 'name'>): { sends: Occurrence[]; takenAt: number } {
  if (job.name !== DELIVER_JOB) throw new UnrecoverableError(`${WORKER_QUEUE} has no job type ${job.name}`);
  if (!isBatch.Check(job.data)) throw new UnrecoverableError(`job ${job.id} is not a delivery batch`);
  const sends: Occurrence[] = [];
  for (const member of job.data.sends) {
    const send = decodeOccurrence(member);
    if (!send) throw new UnrecoverableError(`job ${job.id} holds a malformed send: ${member}`);
    sends.push(send);
  }
  return { sends, takenAt: job.data.taken_at };
}
