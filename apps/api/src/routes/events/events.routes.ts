import type { EventRecord } from '@event-scheduler/models';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tenantOf } from '../../plugins/auth.js';
import type { EventService } from '../../services/event.service.js';
import { API_ERRORS, API_KEY_SECURITY, EmptyBody, errorResponses, IdParams, page } from '../common.schemas.js';
import { bodyOptional } from '../schedules/schedules.routes.js';
import { EventList, EventPageQuery, EventResponse, RetryManyBody, RetryManyResponse } from './events.schemas.js';

const tags = ['events'];
const security = API_KEY_SECURITY;

export function toEventResponse(e: EventRecord): EventResponse {
  return {
    id: String(e._id),
    schedule_id: String(e.schedule_id),
    schedule_version: e.schedule_version,
    occurrence_at: e.occurrence_at.toISOString(),
    kind: e.kind,
    status: e.status,
    history: e.history.map((h) => ({ time: h.time.toISOString(), status: h.status, message: h.message ?? null })),
    attempts: e.attempts.map((a) => ({
      number: a.number,
      started_at: a.started_at.toISOString(),
      duration_ms: a.duration_ms,
      status_code: a.status_code ?? null,
      error_kind: a.error_kind ?? null,
      error_message: a.error_message ?? null,
      response_snippet: a.response_snippet ?? null,
    })),
    next_attempt_at: e.next_attempt_at?.toISOString() ?? null,
    finished_at: e.finished_at?.toISOString() ?? null,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}

export const eventRoutes: FastifyPluginAsyncTypebox<{ events: EventService }> = async (app, { events }) => {
  app.get(
    '/api/schedules/:id/events/pending',
    {
      schema: {
        operationId: 'listPendingEvents',
        tags,
        security,
        summary: 'Occurrences planned or in delivery, the next first',
        params: IdParams,
        querystring: EventPageQuery,
        response: { 200: EventList, ...errorResponses(...API_ERRORS, 404) },
      },
    },
    async (request) => {
      const paging = page(request.query);
      const { items, total } = await events.pending(tenantOf(request), request.params.id, paging);
      return { events: items.map(toEventResponse), ...paging, total };
    },
  );

  app.get(
    '/api/schedules/:id/events/history',
    {
      schema: {
        operationId: 'listEventHistory',
        tags,
        security,
        summary: 'Finished occurrences (succeeded, failed, skipped, cancelled), the latest first',
        params: IdParams,
        querystring: EventPageQuery,
        response: { 200: EventList, ...errorResponses(...API_ERRORS, 404) },
      },
    },
    async (request) => {
      const paging = page(request.query);
      const { items, total } = await events.history(tenantOf(request), request.params.id, paging);
      return { events: items.map(toEventResponse), ...paging, total };
    },
  );

  app.get(
    '/api/events/:id',
    {
      schema: {
        operationId: 'getEvent',
        tags,
        security,
        summary: 'One occurrence with every delivery attempt',
        params: IdParams,
        response: { 200: EventResponse, ...errorResponses(...API_ERRORS, 404) },
      },
    },
    async (request) => toEventResponse((await events.get(tenantOf(request), request.params.id)).event),
  );

  app.post(
    '/api/events/:id/retry',
    {
      preValidation: bodyOptional,
      schema: {
        operationId: 'retryEvent',
        tags,
        security,
        summary: 'Redeliver a failed occurrence',
        description: 'Only failed events can be redelivered (409 otherwise). Attempts are kept; numbering continues.',
        params: IdParams,
        body: EmptyBody,
        response: { 202: EventResponse, ...errorResponses(...API_ERRORS, 404, 409, 413) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(toEventResponse(await events.retry(tenantOf(request), request.params.id))),
  );

  app.post(
    '/api/events/retry',
    {
      schema: {
        operationId: 'retryFailedEvents',
        tags,
        security,
        summary: 'Redeliver every failed occurrence in a window ("recover since T")',
        description: 'Failed events that finished in [since, until], oldest first, at most 1000 per call.',
        body: RetryManyBody,
        response: { 202: RetryManyResponse, ...errorResponses(...API_ERRORS, 404, 413) },
      },
    },
    async (request, reply) => {
      const { eventIds, more } = await events.retryMany(tenantOf(request), request.body);
      return reply.code(202).send({ event_ids: eventIds, count: eventIds.length, more });
    },
  );
};
