import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tenantOf } from '../../plugins/auth.js';
import type { SigningSecretService } from '../../services/signing-secret.service.js';
import { API_ERRORS, API_KEY_SECURITY, EmptyBody, errorResponses } from '../common.schemas.js';
import { bodyOptional } from '../schedules/schedules.routes.js';
import { SigningSecretResponse } from './signing-secret.schemas.js';

const tags = ['signing'];
const security = API_KEY_SECURITY;

export const signingSecretRoutes: FastifyPluginAsyncTypebox<{ signingSecrets: SigningSecretService }> = async (
  app,
  { signingSecrets },
) => {
  app.get(
    '/api/signing-secret',
    {
      schema: {
        operationId: 'getSigningSecret',
        tags,
        security,
        summary: 'The secret your callbacks are signed with',
        description: 'Every callback carries webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256).',
        response: { 200: SigningSecretResponse, ...errorResponses(...API_ERRORS) },
      },
    },
    async (request) => signingSecrets.get(tenantOf(request)),
  );

  app.post(
    '/api/signing-secret/rotate',
    {
      preValidation: bodyOptional,
      schema: {
        operationId: 'rotateSigningSecret',
        tags,
        security,
        summary: 'Start a rotation: a new secret; the old one keeps signing for the overlap period',
        body: EmptyBody,
        response: { 200: SigningSecretResponse, ...errorResponses(...API_ERRORS, 413) },
      },
    },
    async (request) => signingSecrets.rotate(tenantOf(request)),
  );
};
