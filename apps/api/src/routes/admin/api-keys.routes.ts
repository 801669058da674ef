import type { ApiKeyRecord } from '@event-scheduler/models';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.js';
import type { ApiKeyService } from '../../services/api-key.service.js';
import { ADMIN_SECURITY, errorResponses, IdParams, page } from '../common.schemas.js';
import { ApiKeyList, ApiKeyResponse, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery } from './api-keys.schemas.js';

const tags = ['admin'];
const security = ADMIN_SECURITY;
const ADMIN_ERRORS = [400, 401, 403, 429, 500, 503] as const;

const toApiKeyResponse = (k: ApiKeyRecord): ApiKeyResponse => ({
  id: String(k._id),
  tenant_id: k.tenant_id,
  name: k.name,
  prefix: k.prefix,
  created_at: k.created_at.toISOString(),
  last_used_at: k.last_used_at?.toISOString() ?? null,
  revoked_at: k.revoked_at?.toISOString() ?? null,
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService }> = async (app, { apiKeys }) => {
  app.post(
    '/admin/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        tags,
        security,
        summary: 'Create an API key (shown once)',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...errorResponses(...ADMIN_ERRORS, 413) },
      },
    },
    async (request, reply) => {
      const { record, key } = await apiKeys.create(request.body.name, request.body.tenant_id);
      return reply.code(201).send({ ...toApiKeyResponse(record), key });
    },
  );

  app.get(
    '/admin/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        tags,
        security,
        summary: 'List API keys (never the keys themselves)',
        querystring: ListApiKeysQuery,
        response: { 200: ApiKeyList, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request) => {
      const paging = page(request.query);
      const { items, total } = await apiKeys.list({
        ...paging,
        ...(request.query.tenant_id ? { tenantId: request.query.tenant_id } : {}),
      });
      return { api_keys: items.map(toApiKeyResponse), ...paging, total };
    },
  );

  app.delete(
    '/admin/api-keys/:id',
    {
      schema: {
        operationId: 'revokeApiKey',
        tags,
        security,
        summary: 'Revoke an API key (effective on its next request)',
        params: IdParams,
        response: { 200: ApiKeyResponse, ...errorResponses(...ADMIN_ERRORS, 404) },
      },
    },
    async (request) => {
      const record = await apiKeys.revoke(request.params.id);
      if (!record) throw notFound('API key');
      return toApiKeyResponse(record);
    },
  );
};
