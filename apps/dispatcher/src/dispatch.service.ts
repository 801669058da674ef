import type { Logger } from '@event-scheduler/logging';
import {
  type EventRecord,
  findLiveEvent,
  findScheduleForPlanning,
  type Models,
  type ScheduleRecord,
} from '@event-scheduler/models';
import { compileStoredRule, isMissed, lateJobFate } from '@event-scheduler/planning';
import { type JobPayload, occurrenceJobId, scheduleSnapshot } from '@event-scheduler/queues';
import type { Archive } from './archiver.js';
import type { Handoff } from './handoff.js';
import { holdUntil } from './hold.js';

export type DispatchOutcome =
  | { kind: 'dispatched'; latenessMs: number }
  | { kind: 'cancelled' | 'skipped'; reason: string }
  | { kind: 'gone' }
  | { kind: 'too_early'; until: number };

export interface DispatchServiceDeps {
  models: Pick<Models, 'schedules' | 'events' | 'archivedEvents'>;
  handoff: Handoff;
  /** Archives dropped (cancelled, skipped) events, batched. */
  archive: Archive;
  log: Logger;
  clock: () => Date;
  /** The planner's lead (dispatcher.lead_ms): a job arriving much earlier than this goes back to wait. */
  leadMs: number;
}

export interface DispatchService {
  /**
   * `rerun`: this job ran before (its dispatcher died or stalled). It may have been handed off
   * already, so it is handed off again only if its event is still `scheduled`.
   */
  dispatch(
    payload: JobPayload<'dispatch'>,
    options?: { signal?: AbortSignal; rerun?: boolean },
  ): Promise<DispatchOutcome>;
}

/** Concurrent reads of the same schedule (occurrences due together) share one round trip. */
function coalesced(models: DispatchServiceDeps['models']) {
  const inFlight = new Map<string, Promise<ScheduleRecord | null>>();
  return (tenantId: string, scheduleId: string) => {
    const key = `${tenantId}/${scheduleId}`;
    let read = inFlight.get(key);
    if (!read) {
      read = findScheduleForPlanning(models, tenantId, scheduleId).finally(() => inFlight.delete(key));
      inFlight.set(key, read);
    }
    return read;
  };
}

/**
 * Releases planned occurrences to worker_queue on time. A job arrives about `leadMs` before its
 * occurrence; the checks (schedule still there, not paused, same version) and the misfire policy
 * for late jobs run during that lead, then the job is held on this process's own timer and
 * handed off the moment it is due. The event is not written here: the deliver job carries the
 * release time, and the worker records `dispatched` in the same write as `delivering`; it also
 * carries the schedule as read for the checks, so the worker's first attempt reads only the event
 * (two database operations per occurrence fewer).
 */
export function createDispatchService(deps: DispatchServiceDeps): DispatchService {
  const { models, handoff, archive, log, clock, leadMs } = deps;
  const readSchedule = coalesced(models);
  // A job more than this early (clock skew, a bug) goes back to wait rather than hold a slot.
  const maxHoldMs = 2 * leadMs + 5000;

  async function drop(
    payload: JobPayload<'dispatch'>,
    status: 'cancelled' | 'skipped',
    reason: string,
    known?: EventRecord | null,
  ) {
    const event = known === undefined ? await findLiveEvent(models, payload.tenant_id, payload.event_id) : known;
    // Only a planned event is archived here; one handed off already belongs to the worker.
    if (event && event.status === 'scheduled') await archive(event, status, reason);
    log.info({ eventId: payload.event_id, status, reason }, 'occurrence not dispatched');
    return { kind: status, reason } as const;
  }

  async function lateFate(schedule: ScheduleRecord, at: Date, now: Date) {
    const rule = compileStoredRule(schedule, now);
    const next = 'error' in rule ? null : rule.next(at);
    return lateJobFate({
      policy: schedule.misfire_policy,
      nextOccurrence: next,
      now,
      graceMs: schedule.misfire_grace_seconds * 1000,
    });
  }

  return {
    async dispatch(payload, { signal, rerun = false } = {}) {
      const at = new Date(payload.occurrence_at);
      const schedule = await readSchedule(payload.tenant_id, payload.schedule_id);
      if (!schedule || schedule.deleted_at) return drop(payload, 'cancelled', 'schedule deleted');
      if (schedule.status === 'paused') return drop(payload, 'cancelled', 'schedule paused');
      let event: EventRecord | null | undefined;
      if (rerun) {
        // The deliver job id dedupes a second hand-off only while that job exists; once the worker
        // has finished it, the event has moved on (delivering, or archived) and must not go again.
        event = await findLiveEvent(models, payload.tenant_id, payload.event_id);
        if (event?.status !== 'scheduled') return { kind: 'gone' };
      }
      if (schedule.version !== payload.schedule_version) {
        // Manual triggers and backfills are not tied to the rule's version.
        event ??= await findLiveEvent(models, payload.tenant_id, payload.event_id);
        if (!event) return { kind: 'gone' };
        if (event.kind === 'rule') return drop(payload, 'cancelled', 'schedule changed', event);
      }
      const now = clock();
      if (isMissed(at, now, schedule.misfire_grace_seconds * 1000)) {
        event ??= await findLiveEvent(models, payload.tenant_id, payload.event_id);
        if (!event) return { kind: 'gone' };
        if (event.kind === 'rule' && (await lateFate(schedule, at, now)) === 'skip')
          return drop(payload, 'skipped', `missed: misfire policy ${schedule.misfire_policy}`, event);
      }
      if (at.getTime() - Date.now() > maxHoldMs) return { kind: 'too_early', until: at.getTime() - leadMs };
      await holdUntil(at.getTime(), signal);
      const releasedAt = Date.now();
      await handoff({
        jobId: occurrenceJobId(payload.schedule_id, at),
        payload: {
          ...payload,
          dispatched_at: new Date(releasedAt).toISOString(),
          schedule: scheduleSnapshot(schedule),
        },
      });
      return { kind: 'dispatched', latenessMs: releasedAt - at.getTime() };
    },
  };
}
