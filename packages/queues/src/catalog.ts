import type { JobsOptions } from 'bullmq';
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

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

/**
 * What a first delivery attempt needs of its schedule, as the dispatcher read it moments before
 * (it checked status and version on that same read), so the worker's first attempt reads only
 * the event. Retries and redeliveries carry none and read the schedule afresh.
 */
export const ScheduleSnapshot = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('completed')]),
    name: Type.String(),
    callback_url: Type.String(),
    method: Type.String(),
    headers_json: Type.Union([Type.String(), Type.Null()]),
    body: Type.Union([Type.String(), Type.Null()]),
    timeout_ms: Type.Integer({ minimum: 1 }),
    retry_policy: Type.Object({
      max_attempts: Type.Integer({ minimum: 1 }),
      min_backoff_ms: Type.Integer({ minimum: 0 }),
      max_backoff_ms: Type.Integer({ minimum: 0 }),
    }),
    overlap_policy: Type.Union([Type.Literal('allow'), Type.Literal('skip'), Type.Literal('cancel_previous')]),
    max_consecutive_failures: Type.Integer({ minimum: 0 }),
    consecutive_failures: Type.Integer({ minimum: 0 }),
    metadata: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: false },
);
export type ScheduleSnapshot = Static<typeof ScheduleSnapshot>;

/** Compiled once: the dispatcher checks a snapshot for every occurrence it releases. */
const isScheduleSnapshot = Compile(ScheduleSnapshot);

/**
 * The snapshot of a schedule record (any object with the fields above), or undefined when the
 * record does not fit the contract (then the worker simply reads the schedule itself).
 */
export function scheduleSnapshot(schedule: Record<keyof ScheduleSnapshot, unknown>): ScheduleSnapshot | undefined {
  const snapshot = Object.fromEntries(
    Object.keys(ScheduleSnapshot.properties).map((k) => [k, schedule[k as keyof ScheduleSnapshot]]),
  );
  return isScheduleSnapshot.Check(snapshot) ? snapshot : undefined;
}

/**
 * A delivery: the occurrence, plus which attempt of the current delivery round this job is (absent
 * = 1, for the dispatcher's and the API's jobs; the worker's retry jobs carry 2, 3, ...). The
 * round restarts with a redelivery, so a redelivered event gets the schedule's attempts again.
 * `dispatched_at`: when the dispatcher released it; the worker records that `dispatched` entry
 * in the same write as `delivering`, which saves the event a write of its own. `schedule`: see
 * {@link ScheduleSnapshot}.
 */
export const DeliverJob = Type.Object(
  {
    ...OccurrenceJob.properties,
    attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    dispatched_at: Type.Optional(Type.String({ format: 'date-time' })),
    schedule: Type.Optional(ScheduleSnapshot),
  },
  { additionalProperties: false },
);
export type DeliverJob = Static<typeof DeliverJob>;

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
  /**
   * An occurrence released to `worker_queue` for delivery (and the worker's own retries, as
   * delayed jobs `<occurrence job id>-a<attempt number>`). HTTP failures never fail the job: the
   * worker records them and schedules its own retry. `attempts` covers what the worker could not
   * record (database or Redis away): the job runs again after 1 s, 2 s, 4 s, ...
   */
  deliver: {
    queue: QUEUE_NAMES.worker,
    payload: DeliverJob,
    options: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    },
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
