import type { JobsOptions } from 'bullmq';
import Type, { type Static, type TSchema } from 'typebox';

/** Queue names, as the original service had them. */
export const QUEUE_NAMES = {
  ready: 'ready_queue',
  worker: 'worker_queue',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

const ObjectIdString = Type.String({ pattern: '^[0-9a-f]{24}$' });

/** What a planned occurrence carries: only ids and the version; consumers re-read the rest. */
export const OccurrenceJob = Type.Object(
  {
    tenant_id: Type.String({ minLength: 1 }),
    event_id: ObjectIdString,
    schedule_id: ObjectIdString,
    schedule_version: Type.Integer({ minimum: 1 }),
    occurrence_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type OccurrenceJob = Static<typeof OccurrenceJob>;

export interface JobDefinition<S extends TSchema = TSchema> {
  queue: QueueName;
  payload: S;
  options: JobsOptions;
}

/**
 * Every job in the system: its queue, payload schema and default options. Producers enqueue
 * through this catalog and consumers validate against it, so the contract lives in one place.
 */
export const JOBS = {
  /** A planned occurrence waiting in `ready_queue` for the dispatcher. */
  dispatch: {
    queue: QUEUE_NAMES.ready,
    payload: OccurrenceJob,
    options: { removeOnComplete: true, removeOnFail: { count: 10_000 } },
  },
  /** An occurrence released to `worker_queue` for delivery. */
  deliver: {
    queue: QUEUE_NAMES.worker,
    payload: OccurrenceJob,
    options: { removeOnComplete: true, removeOnFail: { count: 10_000 } },
  },
} satisfies Record<string, JobDefinition>;
export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = Static<(typeof JOBS)[N]['payload']>;

/**
 * The job id of an occurrence in any queue: schedule id and occurrence epoch milliseconds. The
 * same occurrence always gets the same id, so planning it twice adds it once (BullMQ ignores an
 * add whose id exists). BullMQ rejects ids that contain `:` or are integers; this has neither.
 */
export function occurrenceJobId(scheduleId: string, occurrenceAt: Date): string {
  return `${scheduleId}-${occurrenceAt.getTime()}`;
}
