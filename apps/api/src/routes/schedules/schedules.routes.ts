import type { ScheduleRuntime } from '@event-scheduler/engine';
import type { ScheduleRecord } from '@event-scheduler/models';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { preValidationAsyncHookHandler } from 'fastify';
import { tenantOf } from '../../plugins/auth.js';
import type { OccurrenceService } from '../../services/occurrence.service.js';
import type { ScheduleService } from '../../services/schedule.service.js';
import { parseHeadersJson } from '../../services/schedule-input.js';
import {
  API_ERRORS,
  API_KEY_SECURITY,
  EmptyBody,
  ExtraEventsResponse,
  errorResponses,
  IdParams,
  page,
} from '../common.schemas.js';
import {
  BackfillBody,
  CreateScheduleBody,
  ListSchedulesQuery,
  OccurrencesQuery,
  OccurrencesResponse,
  PauseBody,
  ScheduleList,
  ScheduleResponse,
  UpdateScheduleBody,
} from './schedules.schemas.js';

export interface ScheduleRouteDeps {
  schedules: ScheduleService;
  occurrences: OccurrenceService;
}

const tags = ['schedules'];
const security = API_KEY_SECURITY;

/** Action routes take an optional body: no body at all counts as `{}`. */
export const bodyOptional: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

export function toScheduleResponse(
  s: ScheduleRecord,
  nextRunAt: Date | null,
  runtime: ScheduleRuntime | undefined,
): ScheduleResponse {
  return {
    id: String(s._id),
    name: s.name,
    rrule: s.rrule_source ?? s.rrule,
    canonical_rrule: s.rrule,
    timezone: s.timezone,
    callback_url: s.callback_url,
    method: s.method,
    headers: parseHeadersJson(s.headers_json),
    body: s.body,
    timeout_ms: s.timeout_ms,
    retry_policy: {
      max_attempts: s.retry_policy.max_attempts,
      min_backoff_ms: s.retry_policy.min_backoff_ms,
      max_backoff_ms: s.retry_policy.max_backoff_ms,
    },
    misfire_policy: s.misfire_policy,
    misfire_grace_seconds: s.misfire_grace_seconds,
    overlap_policy: s.overlap_policy,
    max_consecutive_failures: s.max_consecutive_failures,
    consecutive_failures: runtime?.consecutiveFailures ?? 0,
    metadata: s.metadata ?? {},
    status: s.status,
    paused_reason: s.paused_reason,
    paused_at: s.paused_at?.toISOString() ?? null,
    next_run_at: nextRunAt?.toISOString() ?? null,
    last_run_at: runtime?.lastRunAt?.toISOString() ?? null,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
    version: s.version,
  };
}

export const scheduleRoutes: FastifyPluginAsyncTypebox<ScheduleRouteDeps> = async (app, { schedules, occurrences }) => {
  /** A schedule as answered, with what workers learned of it (last run, failure streak). */
  const present = async (s: ScheduleRecord) => {
    const runtime = await schedules.runtime([s]);
    return toScheduleResponse(s, schedules.nextRunAt(s), runtime.get(String(s._id)));
  };

  app.post(
    '/api/schedules',
    {
      schema: {
        operationId: 'createSchedule',
        tags,
        security,
        summary: 'Create a schedule',
        description: 'Compiles and stores the rule, then plans its near occurrences so they fire on time.',
        body: CreateScheduleBody,
        response: { 201: ScheduleResponse, ...errorResponses(...API_ERRORS, 413) },
      },
    },
    async (request, reply) => {
      const created = await schedules.create(tenantOf(request), request.body);
      // A new schedule has not run yet: nothing to read of its runtime.
      return reply.code(201).send(toScheduleResponse(created, schedules.nextRunAt(created), undefined));
    },
  );

  app.get(
    '/api/schedules',
    {
      schema: {
        operationId: 'listSchedules',
        tags,
        security,
        summary: 'List your schedules, newest first',
        querystring: ListSchedulesQuery,
        response: { 200: ScheduleList, ...errorResponses(...API_ERRORS) },
      },
    },
    async (request) => {
      const paging = page(request.query);
      const { items, total } = await schedules.list(tenantOf(request), {
        ...paging,
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.name ? { name: request.query.name } : {}),
      });
      const runtime = await schedules.runtime(items);
      return {
        schedules: items.map((s) => toScheduleResponse(s, schedules.nextRunAt(s), runtime.get(String(s._id)))),
        ...paging,
        total,
      };
    },
  );

  app.get(
    '/api/schedules/:id',
    {
      schema: {
        operationId: 'getSchedule',
        tags,
        security,
        summary: 'Get a schedule',
        params: IdParams,
        response: { 200: ScheduleResponse, ...errorResponses(...API_ERRORS, 404) },
      },
    },
    async (request) => present(await schedules.get(tenantOf(request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/schedules/:id',
      schema: {
        operationId: method === 'PUT' ? 'updateSchedule' : 'patchSchedule',
        tags,
        security,
        summary: method === 'PUT' ? 'Update a schedule (partial, as the original)' : 'Update a schedule (same as PUT)',
        params: IdParams,
        body: UpdateScheduleBody,
        response: { 200: ScheduleResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
      handler: async (request) => present(await schedules.update(tenantOf(request), request.params.id, request.body)),
    });
  }

  app.delete(
    '/api/schedules/:id',
    {
      schema: {
        operationId: 'deleteSchedule',
        tags,
        security,
        summary: 'Delete a schedule',
        description: 'Cancels every future occurrence; the schedule disappears from the API. Answers 204.',
        params: IdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(...API_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      await schedules.remove(tenantOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/schedules/:id/pause',
    {
      preValidation: bodyOptional,
      schema: {
        operationId: 'pauseSchedule',
        tags,
        security,
        summary: 'Pause a schedule',
        description: 'Cancels planned occurrences; nothing fires until it is resumed. Pausing twice is harmless.',
        params: IdParams,
        body: PauseBody,
        response: { 200: ScheduleResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
    },
    async (request) => present(await schedules.pause(tenantOf(request), request.params.id, request.body.reason)),
  );

  app.post(
    '/api/schedules/:id/resume',
    {
      preValidation: bodyOptional,
      schema: {
        operationId: 'resumeSchedule',
        tags,
        security,
        summary: 'Resume a paused schedule',
        description: 'Occurrences missed while paused are not fired; planning restarts from now.',
        params: IdParams,
        body: EmptyBody,
        response: { 200: ScheduleResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
    },
    async (request) => present(await schedules.resume(tenantOf(request), request.params.id)),
  );

  app.post(
    '/api/schedules/:id/trigger',
    {
      preValidation: bodyOptional,
      schema: {
        operationId: 'triggerSchedule',
        tags,
        security,
        summary: 'Fire one extra occurrence now',
        description: 'Recorded and delivered like any other occurrence (kind `manual`). The schedule must be active.',
        params: IdParams,
        body: EmptyBody,
        response: { 202: ExtraEventsResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
    },
    async (request, reply) => {
      const eventIds = await occurrences.trigger(tenantOf(request), request.params.id);
      return reply.code(202).send({ event_ids: eventIds, count: eventIds.length });
    },
  );

  app.post(
    '/api/schedules/:id/backfill',
    {
      schema: {
        operationId: 'backfillSchedule',
        tags,
        security,
        summary: 'Fire the occurrences of a past window',
        description:
          'Occurrences of the rule in [from, to] (to not in the future), at most api.backfill_max_occurrences, ' +
          'sent 50 ms apart and recorded like any other (kind `backfill`). Occurrences already recorded are skipped.',
        params: IdParams,
        body: BackfillBody,
        response: { 202: ExtraEventsResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
    },
    async (request, reply) => {
      const { from, to } = request.body;
      const eventIds = await occurrences.backfill(tenantOf(request), request.params.id, from, to);
      return reply.code(202).send({ event_ids: eventIds, count: eventIds.length });
    },
  );

  app.get(
    '/api/schedules/:id/occurrences',
    {
      schema: {
        operationId: 'listOccurrences',
        tags,
        security,
        summary: 'The next occurrences of a schedule',
        description: 'Computed by the same code that plans deliveries. `detail=true` adds local time and DST notes.',
        params: IdParams,
        querystring: OccurrencesQuery,
        response: { 200: OccurrencesResponse, ...errorResponses(...API_ERRORS, 404, 409) },
      },
    },
    async (request) => ({
      occurrences: await occurrences.occurrences(tenantOf(request), request.params.id, request.query),
    }),
  );
};
