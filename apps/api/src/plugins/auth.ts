import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.js';
import type { ApiKeyService, Principal } from '../services/api-key.service.js';
import { presentedKey, secretMatches } from '../services/keys.js';
import type { AuthFailureLimit } from './auth-failures.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the API key check; null on routes without one. */
    principal: Principal | null;
  }
}

/** Where a wrong key is reported, so guessing can be limited (see auth-failures.ts). */
export type FailedKeys = Pick<AuthFailureLimit, 'recordFailure'>;

/** Every /api request: a valid, unrevoked key (`X-API-KEY` or `Authorization: Bearer`). */
export function requireApiKey(
  apiKeys: Pick<ApiKeyService, 'authenticate'>,
  failures?: FailedKeys,
): onRequestAsyncHookHandler {
  return async (request) => {
    const key = presentedKey(request.headers, 'x-api-key');
    if (!key) throw new AppError('unauthorized', 'an API key is required: send it in the X-API-KEY header');
    const principal = await apiKeys.authenticate(key);
    if (!principal) {
      await failures?.recordFailure(request);
      throw new AppError('unauthorized', 'the API key is not valid or was revoked');
    }
    request.principal = principal;
  };
}

/** Every /admin request: the configured admin key (`X-ADMIN-KEY` or Bearer), compared in constant time. */
export function requireAdminKey(adminKey: string, failures?: FailedKeys): onRequestAsyncHookHandler {
  return async (request) => {
    if (!adminKey) throw new AppError('forbidden', 'the admin API is disabled (no api.admin_api_key configured)');
    const key = presentedKey(request.headers, 'x-admin-key');
    if (!key) throw new AppError('unauthorized', 'an admin key is required: send it in the X-ADMIN-KEY header');
    if (!secretMatches(key, adminKey)) {
      await failures?.recordFailure(request);
      throw new AppError('unauthorized', 'the admin key is not valid');
    }
  };
}

/** The authenticated tenant; every query of tenant data takes it from here, never from input. */
export function tenantOf(request: FastifyRequest): string {
  if (!request.principal) throw new AppError('unauthorized', 'an API key is required');
  return request.principal.tenantId;
}
