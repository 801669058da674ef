import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PreviewService } from '../../services/preview.service.js';
import { API_ERRORS, API_KEY_SECURITY, errorResponses } from '../common.schemas.js';
import { PreviewBody, PreviewResponse } from './rrule.schemas.js';

export const rruleRoutes: FastifyPluginAsyncTypebox<{ previews: PreviewService }> = async (app, { previews }) => {
  app.post(
    '/api/rrule/preview',
    {
      schema: {
        operationId: 'previewRule',
        tags: ['schedules'],
        security: API_KEY_SECURITY,
        summary: 'Check a rule and list its next occurrences before saving it',
        description:
          'A rule that is not valid answers 400 validation_failed with one detail per problem (code, message and ' +
          'the offending part). `detail=true` adds local wall time, offset and DST notes per occurrence. `end` ' +
          'says why the list ends where it does: the limit, the window (with the next occurrence) or the rule itself.',
        body: PreviewBody,
        response: { 200: PreviewResponse, ...errorResponses(...API_ERRORS, 413) },
      },
    },
    async (request) => previews.preview(request.body),
  );
};
