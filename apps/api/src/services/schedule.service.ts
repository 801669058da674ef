import type { Logger } from '@event-scheduler/logging';
import {
  findSchedule,
  insertSchedule,
  listSchedules,
  type Models,
  type RetryPolicy,
  type Schedule,
  type ScheduleListQuery,
  type ScheduleRecord,
  updateScheduleIfVersion,
} from '@event-scheduler/models';
import type { Clock, CompiledRule } from '@event-scheduler/scheduling';
import { AppError, invalidField, notFound } from '../errors.js';
import type { CreateScheduleBody, UpdateScheduleBody } from '../routes/schedules/schedules.schemas.js';
import type { PlanningPort } from './planning.js';
import type { RuleCompiler } from './rules.js';
import { bodyText, checkCallbackUrl, headersJson, mergeRetryPolicy } from './schedule-input.js';

export interface ScheduleSettings {
  /** Used when a schedule sets no retry policy (max_attempts = worker.max_retries + 1). */
  defaultRetryPolicy: RetryPolicy;
}

export interface ScheduleServiceDeps {
  models: Pick<Models, 'schedules'>;
  planning: PlanningPort;
  rules: RuleCompiler;
  clock: Clock;
  log: Logger;
  settings: ScheduleSettings;
}

/** Fields whose change makes planned events wrong: they are cancelled and planned again. */
const DELIVERY_FIELDS = ['callback_url', 'method', 'headers_json', 'body', 'timeout_ms'] as const;

export type ScheduleService = ReturnType<typeof createScheduleService>;

export function createScheduleService({ models, planning, rules, clock, log, settings }: ScheduleServiceDeps) {
  async function mustFind(tenantId: string, id: string): Promise<ScheduleRecord> {
    const schedule = await findSchedule(models, tenantId, id);
    if (!schedule) throw notFound('schedule');
    return schedule;
  }

  /** A new rule must still fire after now; otherwise saving it would plan nothing. */
  function nextOrReject(rule: CompiledRule, now: Date): Date {
    let next: Date | null;
    try {
      next = rule.next(now);
    } catch (error) {
      throw invalidField('rrule', error instanceof Error ? error.message : 'cannot be expanded');
    }
    if (!next) throw invalidField('rrule', 'the rule has no occurrence after now');
    return next;
  }

  /** Writes `set` if nobody changed the schedule meanwhile; 404 if it is gone, 409 if it changed. */
  async function write(tenantId: string, current: ScheduleRecord, set: Partial<Schedule>): Promise<ScheduleRecord> {
    const updated = await updateScheduleIfVersion(models, tenantId, current._id, current.version, { $set: set });
    if (updated) return updated;
    if (!(await findSchedule(models, tenantId, String(current._id)))) throw notFound('schedule');
    throw new AppError('conflict', 'the schedule changed while this request ran; try again');
  }

  /**
   * After a change that invalidated planned events: cancel them (awaited, so nothing old fires
   * after the answer), then plan again from now.
   */
  async function replan(schedule: ScheduleRecord, reason: string, now: Date): Promise<void> {
    await planning.change(schedule, reason, now);
  }

  /** Fields that restart planning from now under a new version (planned events are cancelled first). */
  const restart = (current: ScheduleRecord, now: Date) => ({ version: current.version + 1, not_before: now });

  return {
    async create(tenantId: string, input: CreateScheduleBody): Promise<ScheduleRecord> {
      const now = clock();
      const rule = rules.compileInput(input.rrule, input.timezone, now);
      nextOrReject(rule, now);
      const schedule = await insertSchedule(models, {
        tenant_id: tenantId,
        name: input.name,
        rrule: rule.text,
        rrule_source: input.rrule,
        timezone: rule.timezone,
        callback_url: checkCallbackUrl(input.callback_url),
        method: input.method ?? 'POST',
        headers_json: headersJson(input.headers),
        body: bodyText(input.body),
        timeout_ms: input.timeout_ms ?? 10_000,
        retry_policy: mergeRetryPolicy(settings.defaultRetryPolicy, input.retry_policy),
        misfire_policy: input.misfire_policy ?? 'fire_once',
        misfire_grace_seconds: input.misfire_grace_seconds ?? 60,
        overlap_policy: input.overlap_policy ?? 'allow',
        max_consecutive_failures: input.max_consecutive_failures ?? 0,
        metadata: input.metadata ?? {},
        status: 'active',
        paused_reason: null,
        paused_at: null,
        version: 1,
        not_before: now,
        deleted_at: null,
      });
      log.info({ scheduleId: String(schedule._id), tenantId }, 'schedule created');
      await planning.start(schedule, now);
      return schedule;
    },

    list: (tenantId: string, query: ScheduleListQuery) => listSchedules(models, tenantId, query),

    /**
     * When the schedule fires next, for people, computed from the rule (planning keeps its own
     * progress in the schedule's plan).
     */
    nextRunAt(schedule: ScheduleRecord): Date | null {
      if (schedule.status !== 'active') return null;
      const now = clock();
      const after = new Date(Math.max(schedule.not_before.getTime(), now.getTime()));
      try {
        return safeNext(rules.compileStored(schedule.rrule, schedule.timezone), after);
      } catch {
        return null;
      }
    },

    get: mustFind,

    /** What workers learned of these schedules (last run, failure streak), from Redis; none when it is away. */
    async runtime(schedules: ScheduleRecord[]) {
      try {
        return await planning.runtime(schedules.map((s) => String(s._id)));
      } catch (error) {
        log.warn({ err: error }, 'schedule runtime facts unavailable');
        return new Map();
      }
    },

    async update(tenantId: string, id: string, patch: UpdateScheduleBody): Promise<ScheduleRecord> {
      const current = await mustFind(tenantId, id);
      const now = clock();
      const set: Partial<Schedule> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.metadata !== undefined) set.metadata = patch.metadata;
      if (patch.retry_policy !== undefined)
        set.retry_policy = mergeRetryPolicy(current.retry_policy, patch.retry_policy);
      if (patch.misfire_policy !== undefined) set.misfire_policy = patch.misfire_policy;
      if (patch.misfire_grace_seconds !== undefined) set.misfire_grace_seconds = patch.misfire_grace_seconds;
      if (patch.overlap_policy !== undefined) set.overlap_policy = patch.overlap_policy;
      if (patch.max_consecutive_failures !== undefined) set.max_consecutive_failures = patch.max_consecutive_failures;
      if (patch.callback_url !== undefined) set.callback_url = checkCallbackUrl(patch.callback_url);
      if (patch.method !== undefined) set.method = patch.method;
      if (patch.headers !== undefined) set.headers_json = headersJson(patch.headers);
      if (patch.body !== undefined) set.body = bodyText(patch.body);
      if (patch.timeout_ms !== undefined) set.timeout_ms = patch.timeout_ms;
      // Kept as sent even when it compiles to the same canonical rule (no replan then).
      if (patch.rrule !== undefined && patch.rrule !== current.rrule_source) set.rrule_source = patch.rrule;

      const zoneChanged = patch.timezone !== undefined && patch.timezone !== current.timezone;
      let rule: CompiledRule | undefined;
      if (patch.rrule !== undefined) {
        rule = compileUpdate(patch.rrule, patch.timezone, current.timezone, now);
      } else if (zoneChanged) {
        throw invalidField('timezone', 'send rrule with it: the stored DTSTART names its own zone');
      }
      const ruleChanged = rule !== undefined && (rule.text !== current.rrule || rule.timezone !== current.timezone);
      const deliveryChanged = DELIVERY_FIELDS.some((f) => f in set && set[f] !== current[f]);
      if (!ruleChanged && !deliveryChanged) {
        if (Object.keys(set).length === 0) return current;
        // Same version (nothing planned becomes wrong), but its snapshot changes: announced, so
        // what is planned goes with the new name, metadata and policies.
        const updated = await write(tenantId, current, set);
        await planning.refresh(updated);
        return updated;
      }
      if (rule && ruleChanged) {
        Object.assign(set, { rrule: rule.text, timezone: rule.timezone });
        if (current.status === 'completed') set.status = 'active';
      }
      if (rule && (set.status ?? current.status) === 'active') nextOrReject(rule, now);
      const updated = await write(tenantId, current, { ...set, ...restart(current, now) });
      log.info({ scheduleId: id, tenantId, version: updated.version, ruleChanged }, 'schedule updated');
      await replan(updated, 'schedule updated', now);
      return updated;
    },

    async remove(tenantId: string, id: string): Promise<void> {
      const current = await mustFind(tenantId, id);
      const now = clock();
      const deleted = await write(tenantId, current, { deleted_at: now, version: current.version + 1 });
      log.info({ scheduleId: id, tenantId }, 'schedule deleted');
      await planning.change(deleted, 'schedule deleted', now);
    },

    async pause(tenantId: string, id: string, reason: string | undefined): Promise<ScheduleRecord> {
      const current = await mustFind(tenantId, id);
      if (current.status === 'completed') throw new AppError('conflict', 'a completed schedule cannot be paused');
      const now = clock();
      // Paused already: announced and cancelled again (idempotent), so a pause whose announcement
      // failed before (the caller got an error and retries) is in force when this one answers.
      const paused =
        current.status === 'paused'
          ? current
          : await write(tenantId, current, {
              status: 'paused',
              paused_reason: reason ?? 'paused through the API',
              paused_at: now,
              version: current.version + 1,
            });
      log.info({ scheduleId: id, tenantId }, 'schedule paused');
      await planning.change(paused, 'schedule paused', now);
      return paused;
    },

    async resume(tenantId: string, id: string): Promise<ScheduleRecord> {
      const current = await mustFind(tenantId, id);
      if (current.status === 'completed') throw new AppError('conflict', 'a completed schedule cannot be resumed');
      const now = clock();
      // Active already: not trusted to mean "planned" (a pause undone by a racing write, or a
      // resume whose planning failed): stored again as a new version, so what it plans has fresh
      // ids and nothing cancelled under the old version is mistaken for it.
      const next = safeNext(rules.compileStored(current.rrule, current.timezone), now);
      const resumed = await write(tenantId, current, {
        status: next ? 'active' : 'completed',
        paused_reason: null,
        paused_at: null,
        ...restart(current, now),
      });
      log.info({ scheduleId: id, tenantId, status: resumed.status }, 'schedule resumed');
      await replan(resumed, 'schedule resumed', now);
      return resumed;
    },
  };

  /** Compiles a new rule; without a timezone in the request, the schedule's zone is the default. */
  function compileUpdate(text: string, timezone: string | undefined, currentZone: string, now: Date): CompiledRule {
    if (timezone !== undefined) return rules.compileInput(text, timezone, now);
    try {
      return rules.compileInput(text, currentZone, now);
    } catch (error) {
      // The new rule names its own zone (DTSTART;TZID=...): that zone wins.
      const conflict = error instanceof AppError && error.details?.some((d) => d.code === 'TZID_CONFLICT');
      if (!conflict) throw error;
      return rules.compileInput(text, undefined, now);
    }
  }
}

/** The next occurrence after `now`, or null when the rule is used up (or cannot be expanded). */
export function safeNext(rule: CompiledRule, now: Date): Date | null {
  try {
    return rule.next(now);
  } catch {
    return null;
  }
}
