import type { Logger } from '@event-scheduler/logging';
import { findDeliveredOccurrences, findSchedule, type Models, type ScheduleRecord } from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';
import { AppError, invalidField, notFound } from '../errors.js';
import type { PlanningPort } from './planning.js';
import type { ExpandedOccurrences, RuleCompiler } from './rules.js';

export interface OccurrenceServiceDeps {
  models: Pick<Models, 'schedules' | 'archivedEvents'>;
  planning: PlanningPort;
  rules: RuleCompiler;
  clock: Clock;
  log: Logger;
  settings: {
    /** Most occurrences one backfill may fire (api.backfill_max_occurrences). */
    backfillMaxOccurrences: number;
    /** Gap between two backfilled occurrences, so a backfill does not flood the receiver. */
    backfillPaceMs: number;
  };
}

export interface WindowQuery {
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  detail?: boolean | undefined;
}

export interface PreviewInput extends WindowQuery {
  rrule: string;
  timezone?: string | undefined;
}

const DEFAULT_LIMIT = 10;
const DEFAULT_SPAN_MS = 10 * 366 * 86_400_000;

export type OccurrenceService = ReturnType<typeof createOccurrenceService>;

/** What happens at occurrences: listing them, previewing a rule, firing one now, backfilling a window. */
export function createOccurrenceService({ models, planning, rules, clock, log, settings }: OccurrenceServiceDeps) {
  async function mustFind(tenantId: string, id: string): Promise<ScheduleRecord> {
    const schedule = await findSchedule(models, tenantId, id);
    if (!schedule) throw notFound('schedule');
    return schedule;
  }

  function window(query: WindowQuery, now: Date) {
    const from = query.from ? new Date(query.from) : now;
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + DEFAULT_SPAN_MS);
    if (to.getTime() < from.getTime()) throw invalidField('to', 'must not be before from');
    return { from, to, limit: query.limit ?? DEFAULT_LIMIT, detail: query.detail ?? false };
  }

  const requireActive = (schedule: ScheduleRecord, action: string) => {
    if (schedule.status !== 'active') {
      throw new AppError('conflict', `the schedule is ${schedule.status}; resume it before you ${action}`);
    }
  };

  return {
    async occurrences(tenantId: string, id: string, query: WindowQuery): Promise<ExpandedOccurrences> {
      const schedule = await mustFind(tenantId, id);
      const rule = rules.compileStored(schedule.rrule, schedule.timezone);
      return rules.expand(rule, window(query, clock()));
    },

    preview(input: PreviewInput): {
      rrule: string;
      timezone: string;
      warnings: string[];
      occurrences: ExpandedOccurrences;
    } {
      const now = clock();
      const rule = rules.compileInput(input.rrule, input.timezone, now);
      return {
        rrule: rule.text,
        timezone: rule.timezone,
        warnings: [...rule.warnings],
        occurrences: rules.expand(rule, window(input, now)),
      };
    },

    /** One extra occurrence now, recorded and delivered like any other (kind `manual`). */
    async trigger(tenantId: string, id: string): Promise<string[]> {
      const schedule = await mustFind(tenantId, id);
      requireActive(schedule, 'trigger it');
      const now = clock();
      const { eventIds } = await planning.addExtra(schedule, [now], 'manual', { now });
      log.info({ scheduleId: id, tenantId, eventIds }, 'schedule triggered');
      return eventIds;
    },

    /**
     * Fires the rule's occurrences in a past window (kind `backfill`), paced, at most the configured
     * count. Occurrences with a live event or a delivery already recorded are left out.
     */
    async backfill(tenantId: string, id: string, fromText: string, toText: string): Promise<string[]> {
      const schedule = await mustFind(tenantId, id);
      requireActive(schedule, 'backfill it');
      const now = clock();
      const from = new Date(fromText);
      const to = new Date(toText);
      if (to.getTime() <= from.getTime()) throw invalidField('to', 'must be after from');
      if (to.getTime() > now.getTime()) throw invalidField('to', 'must not be in the future (backfill fills the past)');
      const max = settings.backfillMaxOccurrences;
      const rule = rules.compileStored(schedule.rrule, schedule.timezone);
      const occurrences = rules.expand(rule, { from, to, limit: max, detail: false }) as string[];
      const last = occurrences.at(-1);
      if (last && occurrences.length === max) {
        const after = rules.expand(rule, { from: new Date(Date.parse(last) + 1), to, limit: 1, detail: false });
        if (after.length > 0) throw invalidField('to', `the window holds more than ${max} occurrences; split it`);
      }
      // Occurrences delivered already are not sent again (redeliver failed ones with /retry).
      const delivered = await findDeliveredOccurrences(models, tenantId, schedule._id, from, to);
      const dates = occurrences.map((at) => new Date(at)).filter((d) => !delivered.has(d.getTime()));
      if (dates.length === 0) return [];
      const { eventIds } = await planning.addExtra(schedule, dates, 'backfill', {
        now,
        paceMs: settings.backfillPaceMs,
      });
      log.info({ scheduleId: id, tenantId, count: eventIds.length }, 'backfill requested');
      return eventIds;
    },
  };
}
