import type { Logger } from '@event-scheduler/logging';
import {
  type EventRecord,
  type EventStatus,
  findEventsByIds,
  type Models,
  REDELIVERY_REQUESTED,
  streamEventsByStatus,
} from '@event-scheduler/models';
import {
  type createRedis,
  type EnqueueItem,
  enqueue,
  QUEUE_NAMES,
  type QueueName,
  type QueueSet,
} from '@event-scheduler/queues';
import { dispatchItem, eventJobId, occurrencePayload } from './jobs.js';

export interface ReconcileDeps {
  models: Pick<Models, 'events'>;
  queues: QueueSet;
  /** The connection under `queues`, for pipelined reads of job keys. */
  redis: ReturnType<typeof createRedis>;
  log: Logger;
  clock: () => Date;
  leadMs: number;
  /** A `dispatched` event is checked once it has not changed for this long (its worker may be slow). */
  dispatchedAfterMs: number;
  /** Wait between finding a missing job and re-adding it, to let in-flight hand-offs land; default 2000. */
  confirmDelayMs?: number;
  /** Events checked per Redis round trip; default 1000. */
  batchSize?: number;
}

export interface ReconcileOutcome {
  /** Events whose jobs were looked for. */
  checked: number;
  /** Jobs re-added: `dispatch` to ready_queue, `deliver` to worker_queue. */
  dispatch: number;
  deliver: number;
}

interface Candidate {
  event: EventRecord;
  /** Where the job is re-added, and its id. */
  job: { name: 'dispatch' | 'deliver'; id: string };
}

const isRedelivery = (event: EventRecord) => event.history.at(-1)?.message === REDELIVERY_REQUESTED;

/**
 * What job keeps an event moving, and the job ids that count as "still there": a planned event
 * has its ready_queue job or, once handed off, its worker_queue job (same id); a redelivery the
 * API requested has its `-r<n>` worker job; a dispatched event has its worker job.
 */
function expectation(event: EventRecord): { job: Candidate['job']; alive: [QueueName, string][] } {
  const id = eventJobId(event);
  if (isRedelivery(event)) {
    const redelivery = `${id}-r${event.attempts.length}`;
    return { job: { name: 'deliver', id: redelivery }, alive: [[QUEUE_NAMES.worker, redelivery]] };
  }
  if (event.status === 'dispatched') return { job: { name: 'deliver', id }, alive: [[QUEUE_NAMES.worker, id]] };
  return {
    job: { name: 'dispatch', id },
    alive: [
      [QUEUE_NAMES.ready, id],
      [QUEUE_NAMES.worker, id],
    ],
  };
}

/**
 * Which of these jobs exist and are still to run (waiting, delayed, active). A job kept after
 * failing (`removeOnFail`) has `finishedOn` and counts as gone: it will never run again.
 * One pipelined round trip.
 */
async function liveJobs(
  { queues, redis }: Pick<ReconcileDeps, 'queues' | 'redis'>,
  jobs: [QueueName, string][],
): Promise<boolean[]> {
  if (jobs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const [name, id] of jobs) pipeline.hmget(queues.queue(name).toKey(id), 'timestamp', 'finishedOn');
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]: [Error | null, unknown]) => {
    if (error) throw error;
    const [timestamp, finishedOn] = value as [string | null, string | null];
    return timestamp !== null && finishedOn === null;
  });
}

async function missingOf(deps: Pick<ReconcileDeps, 'queues' | 'redis'>, events: EventRecord[]): Promise<Candidate[]> {
  const expected = events.map((event) => ({ event, ...expectation(event) }));
  const live = await liveJobs(
    deps,
    expected.flatMap((e) => e.alive),
  );
  let i = 0;
  const missing: Candidate[] = [];
  for (const { event, job, alive } of expected) {
    const anyAlive = alive.map(() => live[i++] ?? false).some(Boolean);
    if (!anyAlive) missing.push({ event, job });
  }
  return missing;
}

async function scan(deps: ReconcileDeps, status: EventStatus, updatedBefore?: Date) {
  const batchSize = deps.batchSize ?? 1000;
  const missing: Candidate[] = [];
  let checked = 0;
  let batch: EventRecord[] = [];
  const flush = async () => {
    checked += batch.length;
    missing.push(...(await missingOf(deps, batch)));
    batch = [];
  };
  for await (const event of streamEventsByStatus(deps.models, status, { updatedBefore, batchSize })) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { checked, missing };
}

/**
 * Re-adds the jobs Redis lost. Redis holds the plan and may lose it (a restart without
 * persistence, a failover, FLUSHALL); Mongo holds the truth. Every `scheduled` event must have its
 * ready_queue job (or, once handed off, its worker_queue job), and every `dispatched` event that
 * has not moved for `dispatchedAfterMs` its worker_queue job. Missing ones are confirmed after a
 * pause (status unchanged, job still missing: a hand-off in flight has landed by then) and re-added
 * with the same ids, so a race with the normal path adds nothing twice. Past occurrences go to the
 * dispatcher at once, which applies the misfire policy to those past their grace.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const { models, queues, log, clock } = deps;
  const started = clock();
  const scheduled = await scan(deps, 'scheduled');
  const dispatched = await scan(deps, 'dispatched', new Date(started.getTime() - deps.dispatchedAfterMs));
  const outcome: ReconcileOutcome = { checked: scheduled.checked + dispatched.checked, dispatch: 0, deliver: 0 };
  const suspects = [...scheduled.missing, ...dispatched.missing];
  if (suspects.length === 0) return outcome;
  await new Promise((resolve) => setTimeout(resolve, deps.confirmDelayMs ?? 2000));
  const current = new Map(
    (
      await findEventsByIds(
        models,
        suspects.map((s) => s.event._id),
      )
    ).map((e) => [e._id.toHexString(), e]),
  );
  const unchanged = suspects.flatMap(({ event }) => {
    const now = current.get(event._id.toHexString());
    return now && now.status === event.status && now.history.length === event.history.length ? [now] : [];
  });
  const confirmed = await missingOf(deps, unchanged);
  if (confirmed.length === 0) return outcome;
  // A job kept after failing blocks its id: remove it so the id can be added again.
  await Promise.all(
    confirmed.map(({ job }) =>
      queues
        .queue(job.name === 'dispatch' ? QUEUE_NAMES.ready : QUEUE_NAMES.worker)
        .remove(job.id)
        .catch(() => 0),
    ),
  );
  const now = clock();
  const dispatch = confirmed
    .filter((c) => c.job.name === 'dispatch')
    .map((c) => dispatchItem(c.event, now, deps.leadMs));
  const deliver: EnqueueItem<'deliver'>[] = confirmed
    .filter((c) => c.job.name === 'deliver')
    .map((c) => ({ jobId: c.job.id, payload: occurrencePayload(c.event) }));
  await enqueue(queues, 'dispatch', dispatch);
  await enqueue(queues, 'deliver', deliver);
  outcome.dispatch = dispatch.length;
  outcome.deliver = deliver.length;
  log.warn({ dispatch: dispatch.length, deliver: deliver.length }, 'reconciliation re-added missing jobs');
  return outcome;
}
