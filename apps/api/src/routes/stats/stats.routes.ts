import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tenantOf } from '../../plugins/auth.js';
import type { StatsService } from '../../services/stats.service.js';
import { API_ERRORS, API_KEY_SECURITY, errorResponses } from '../common.schemas.js';
import { DeliveryStatsResponse } from './stats.schemas.js';

export const statsRoutes: FastifyPluginAsyncTypebox<{ stats: StatsService }> = async (app, { stats }) => {
  app.get(
    '/api/stats/deliveries',
    {
      schema: {
        operationId: 'getDeliveryStats',
        tags: ['events'],
        security: API_KEY_SECURITY,
        summary: 'Deliveries per minute by outcome, and their lateness, over the last hour',
        description:
          'Derived from your finished events (those in the history): the current minute and the 59 before it. ' +
          'Reads at most 50,000 events; `truncated` says when there were more.',
        response: { 200: DeliveryStatsResponse, ...errorResponses(...API_ERRORS) },
      },
    },
    async (request) => stats.deliveries(tenantOf(request)),
  );
};
