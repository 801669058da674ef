import { DEFAULT_BACKOFF } from '@event-scheduler/callback';
import type { Logger } from '@event-scheduler/logging';
import {
  type Attempt,
  type EventRecord,
  FINAL_EVENT_STATUSES,
  type Models,
  parseObjectId,
  REDELIVERY_REQUESTED,
} from '@event-scheduler/models';
import type { cancelPlannedEvents, ScheduleWithId } from '@event-scheduler/planning';
import { enqueue, type JobPayload, type QueueSet, type ScheduleSnapshot } from '@event-scheduler/queues';
import { backoffDelay, type Clock, parseRetryAfter, type Random, systemClock } from '@event-scheduler/scheduling';
import type { DeliveryOutcome, WorkerMetrics } from '../metrics.js';
import { recordFailure } from './auto-pause.js';
import { createEventWrites } from './event-writes.js';
import { type CallResult, performCall } from './http-call.js';
import { retryJobId } from './job-ids.js';
import { type Judgement, judge } from './outcome.js';
import { applyOverlapPolicy } from './overlap.js';
import { buildRequest } from './request.js';
import { createSecretStore, type SecretStore } from './signing.js';
import type { GuardedAgents } from './ssrf-guard.js';

export type DeliverJob = JobPayload<'deliver'>;

/** What delivery uses of a schedule: the stored record, or the dispatcher's snapshot of it. */
export type DeliverySchedule = ScheduleSnapshot & Pick<ScheduleWithId, '_id' | 'tenant_id' | 'deleted_at'>;

/** The worker's delivery rules, from its configuration. */
export interface DeliverySettings {
  /** Attempts when a schedule has no retry policy (worker.max_retries + 1). */
  defaultMaxAttempts: number;
  capBytes: number;
  snippetBytes: number;
  followRedirects: boolean;
  retryable4xx: ReadonlySet<number>;
  retryAfterMaxMs: number;
}

export interface DeliveryDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents' | 'tenants'>;
  queues: QueueSet;
  agents: GuardedAgents;
  metrics: WorkerMetrics;
  log: Logger;
  settings: DeliverySettings;
  cancelPlanned: typeof cancelPlannedEvents;
  /** Default the system clock. */
  clock?: Clock;
  /** Jitter source; default Math.random. */
  random?: Random;
  /** Default: tenants' secrets cached for 5 s. */
  secrets?: SecretStore;
  userAgent?: string;
}

/** What a job's run did, for logs and tests; `gone` when the event had finished already. */
export type JobResult = DeliveryOutcome | 'gone';

export interface JobContext {
  log: Logger;
  /** Aborted when the worker cancels the job (shutdown past its deadline). */
  signal?: AbortSignal;
}

const isRedelivery = (event: EventRecord) => event.history.some((h) => h.message === REDELIVERY_REQUESTED);

/** Why an attempt must not happen any more (the event is then recorded `cancelled`), or null. */
function stopReason(event: EventRecord, schedule: DeliverySchedule | null): string | null {
  if (!schedule || schedule.deleted_at) return 'schedule deleted';
  // A redelivery was asked for explicitly, of an event that failed: only deletion stops it.
  if (isRedelivery(event)) return null;
  // As the dispatcher and cancelPlannedEvents do: a pause stops every kind of event. A completed
  // schedule's last planned occurrences still fire.
  if (schedule.status === 'paused') return 'schedule paused';
  // Manual triggers and backfills are not tied to the rule's version.
  if (event.kind === 'rule' && schedule.version !== event.schedule_version) {
    return `schedule changed (planned under version ${event.schedule_version}, now ${schedule.version})`;
  }
  return null;
}

/** The attempt an earlier run of this job started but never recorded (the worker died or lost the database). */
function lostAttempt(event: EventRecord, now: Date): Attempt | null {
  if (event.status !== 'delivering') return null;
  const started = event.history.findLast((h) => h.status === 'delivering')?.time ?? now;
  return {
    number: event.attempts.length + 1,
    started_at: started,
    duration_ms: 0,
    status_code: null,
    error_kind: 'worker_lost',
    error_message: 'the worker stopped before this attempt finished; the occurrence is delivered again',
    response_snippet: null,
  };
}

/**
 * Delivers occurrences: one call of `deliver` runs one attempt of one event, start to finish,
 * and schedules the next attempt as a delayed job when it should be retried. Every decision
 * re-reads the event and its schedule first, so pauses, updates and deletions take effect at once.
 */
export function createDeliveryService(deps: DeliveryDeps) {
  const { models, queues, metrics, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const secrets = deps.secrets ?? createSecretStore({ models });
  const writes = createEventWrites({ models, log: deps.log });
  const userAgent = deps.userAgent ?? 'event-scheduler-worker';
  const rules = { retryable4xx: settings.retryable4xx };
  const callSettings = {
    agents: deps.agents,
    capBytes: settings.capBytes,
    snippetBytes: settings.snippetBytes,
    followRedirects: settings.followRedirects,
  };

  async function finishEarly(event: EventRecord, status: 'cancelled' | 'skipped', message: string, now: Date) {
    await writes.finish([{ event, status, message }], now);
    metrics.deliveries.labels(status).inc();
    return status;
  }

  async function deliver(job: DeliverJob, ctx: JobContext): Promise<JobResult> {
    const round = job.attempt ?? 1;
    // A first attempt uses the schedule as the dispatcher read it moments ago; the event is read
    // fresh either way, and a pause, change or deletion since then has cancelled it.
    const scheduleId = parseObjectId(job.schedule_id);
    const snapshot: DeliverySchedule | null =
      round === 1 && job.schedule && scheduleId
        ? { ...job.schedule, _id: scheduleId, tenant_id: job.tenant_id, deleted_at: null }
        : null;
    const [event, schedule] = (await Promise.all([
      models.events.findOne({ _id: job.event_id, tenant_id: job.tenant_id }).lean(),
      snapshot ?? models.schedules.findOne({ _id: job.schedule_id, tenant_id: job.tenant_id }).lean(),
    ])) as [EventRecord | null, DeliverySchedule | null];
    const now = clock();
    if (!event) return 'gone';
    // Finished but not moved (a run of this job died between the archive insert and the delete;
    // only then is a live event found `delivering` with an archived copy): finish the move.
    if (
      FINAL_EVENT_STATUSES.includes(event.status) ||
      (event.status === 'delivering' && (await writes.isArchived(event._id)))
    ) {
      await writes.finish([{ event, status: event.status as 'cancelled', message: 'archived late' }], now);
      return 'gone';
    }
    const stop = stopReason(event, schedule);
    if (stop || !schedule) return finishEarly(event, 'cancelled', stop ?? 'schedule deleted', now);
    const arriving = event.status === 'scheduled' || event.status === 'dispatched';
    if (round === 1 && arriving && !isRedelivery(event)) {
      const overlap = await applyOverlapPolicy({ models, queues, writes }, event, schedule, now);
      if (overlap.superseded > 0) metrics.deliveries.labels('superseded').inc(overlap.superseded);
      if (!overlap.proceed) {
        metrics.deliveries.labels('skipped').inc();
        return 'skipped';
      }
    }
    return attempt(job, event, schedule, round, ctx);
  }

  async function attempt(
    job: DeliverJob,
    event: EventRecord,
    schedule: DeliverySchedule,
    round: number,
    ctx: JobContext,
  ): Promise<JobResult> {
    const lost = lostAttempt(event, clock());
    const number = event.attempts.length + (lost ? 2 : 1);
    const signingSecrets = await secrets.secretsFor(event.tenant_id, clock());
    const startedAt = clock();
    const dispatchedAt = round === 1 && job.dispatched_at ? new Date(job.dispatched_at) : null;
    const { current, written } = writes.markDelivering(event, { number, lost, now: startedAt, dispatchedAt });
    written.catch(() => undefined); // awaited below; this only keeps it from being reported unhandled
    if (event.attempts.length === 0 && !lost) {
      metrics.lateness.observe((startedAt.getTime() - event.occurrence_at.getTime()) / 1000);
      writes.noteRun(schedule._id, event.occurrence_at);
    }
    const request = buildRequest({
      schedule,
      eventId: event._id.toString(),
      occurrenceAt: event.occurrence_at,
      attempt: number,
      timestamp: Math.floor(startedAt.getTime() / 1000),
      secrets: signingSecrets,
      userAgent,
    });
    metrics.inFlight.inc();
    let result: CallResult;
    try {
      result = await performCall(request, callSettings, ctx.signal);
    } finally {
      metrics.inFlight.dec();
    }
    const judgement = judge(result, rules);
    metrics.attemptDuration.labels(judgement.verdict).observe(result.durationMs / 1000);
    const record = attemptRecord(number, startedAt, result, judgement);
    ctx.log.info(
      {
        attempt: number,
        status: result.statusCode,
        errorKind: judgement.errorKind,
        error: judgement.errorMessage,
        ms: result.durationMs,
      },
      'callback attempt',
    );
    await written;
    const maxAttempts = schedule.retry_policy?.max_attempts ?? settings.defaultMaxAttempts;
    if (judgement.verdict === 'retry' && round < maxAttempts) {
      return retry(job, current, schedule, round, record, result);
    }
    return finish({ ...current, attempts: [...current.attempts, record] }, schedule, record, judgement, ctx);
  }

  async function retry(
    job: DeliverJob,
    event: EventRecord,
    schedule: DeliverySchedule,
    round: number,
    record: Attempt,
    result: CallResult,
  ): Promise<JobResult> {
    const now = clock();
    const policy = schedule.retry_policy;
    const delay = backoffDelay({
      retry: round,
      minMs: policy?.min_backoff_ms ?? DEFAULT_BACKOFF.min_backoff_ms,
      maxMs: policy?.max_backoff_ms ?? DEFAULT_BACKOFF.max_backoff_ms,
      retryAfterMs: parseRetryAfter(result.headers['retry-after'], now),
      retryAfterMaxMs: settings.retryAfterMaxMs,
      random,
    });
    const nextAt = new Date(now.getTime() + delay);
    if (!(await writes.recordRetry(event, record, nextAt, now))) {
      await writes.attachToArchive(event._id, record);
      return 'superseded';
    }
    const { schedule: _snapshot, ...occurrence } = job; // a retry reads the schedule afresh
    const payload = { ...occurrence, attempt: round + 1 };
    await enqueue(queues, 'deliver', [{ jobId: retryJobId(event, record.number + 1), payload, delay }]);
    metrics.deliveries.labels('retry_scheduled').inc();
    return 'retry_scheduled';
  }

  /** `current`: the event as it now stands, with `record` (its last attempt) appended. */
  async function finish(
    current: EventRecord,
    schedule: DeliverySchedule,
    record: Attempt,
    judgement: Judgement,
    ctx: JobContext,
  ): Promise<JobResult> {
    const now = clock();
    const status = judgement.verdict === 'success' ? 'succeeded' : 'failed';
    const message =
      status === 'succeeded'
        ? `delivered: HTTP ${record.status_code} on attempt ${record.number}`
        : `failed on attempt ${record.number}: ${judgement.errorMessage}`;
    if (!(await writes.archiveFinished(current, status, message, now))) {
      await writes.attachToArchive(current._id, record);
      return 'superseded';
    }
    metrics.deliveries.labels(status).inc();
    if (status === 'succeeded') {
      if (schedule.consecutive_failures > 0) writes.resetStreak(schedule._id);
    } else {
      await recordFailure({ models, queues, log: ctx.log, cancelPlanned: deps.cancelPlanned }, schedule, now);
    }
    return status;
  }

  return {
    deliver,
    /** Writes whatever status changes are still batched (at shutdown). */
    flush: () => writes.flush(),
  };
}

function attemptRecord(number: number, startedAt: Date, result: CallResult, judgement: Judgement): Attempt {
  return {
    number,
    started_at: startedAt,
    duration_ms: result.durationMs,
    status_code: result.statusCode,
    error_kind: judgement.errorKind,
    error_message: judgement.errorMessage,
    response_snippet: result.snippet,
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
