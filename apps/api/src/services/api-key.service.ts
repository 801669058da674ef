import { generateSigningSecret } from '@event-scheduler/callback';
import type { Logger } from '@event-scheduler/logging';
import {
  type ApiKeyListQuery,
  type ApiKeyRecord,
  ensureTenant,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  type Models,
  revokeApiKey,
  touchApiKey,
  upsertApiKey,
} from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';
import type { KeyCache } from './key-cache.js';
import { digestsEqual, displayPrefix, generateApiKey, generateTenantId, hashKey, MAX_KEY_LENGTH } from './keys.js';

/** Who is calling: the tenant every query is filtered by, and the key (for rate limits). */
export interface Principal {
  tenantId: string;
  keyId: string;
}

export interface ApiKeyServiceDeps {
  models: Pick<Models, 'apiKeys' | 'tenants'>;
  /** Authenticated keys kept in memory, revocations announced to every API process; none: every request reads its key. */
  cache?: KeyCache;
  clock: Clock;
  log: Logger;
  /** `last_used_at` is written at most this often per key; default one minute. */
  touchIntervalMs?: number;
}

export const DEV_TENANT_ID = 'dev';

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/**
 * API keys: authentication on every request (from the cache when there is one: a revocation is
 * announced to every API process, so it still applies to the very next call), and the admin
 * operations. Keys are stored only as SHA-256 digests.
 */
export function createApiKeyService({ models, cache, clock, log, touchIntervalMs = 60_000 }: ApiKeyServiceDeps) {
  const lastTouched = new Map<string, number>();

  /** Records the use off the request path, at most once per interval per key. */
  function touch(key: ApiKeyRecord): void {
    const id = String(key._id);
    const now = clock();
    const last = lastTouched.get(id) ?? 0;
    if (now.getTime() - last < touchIntervalMs) return;
    lastTouched.set(id, now.getTime());
    if (lastTouched.size > 100_000) lastTouched.clear();
    touchApiKey(models, key._id, now).catch((error: unknown) =>
      log.warn({ err: error, keyId: id }, 'could not record API key use'),
    );
  }

  const newTenant = (tenantId: string) =>
    ensureTenant(models, tenantId, { name: tenantId, signing_secret: generateSigningSecret() });

  return {
    async authenticate(presented: string): Promise<Principal | null> {
      if (presented.length > MAX_KEY_LENGTH) return null;
      const hash = hashKey(presented);
      const cached = cache?.get(hash);
      if (cached) return cached;
      const key = await findApiKeyByHash(models, hash);
      if (!key || !digestsEqual(key.key_hash, hash) || key.revoked_at) return null;
      touch(key);
      const principal = { tenantId: key.tenant_id, keyId: String(key._id) };
      cache?.set(hash, principal);
      return principal;
    },

    /** A new key, shown once: for `tenantId`, or for a new tenant `tn_...` when none is given. */
    async create(name: string, tenantId: string | undefined): Promise<{ record: ApiKeyRecord; key: string }> {
      const tenant = tenantId ?? generateTenantId();
      await newTenant(tenant);
      const { key, hash, prefix } = generateApiKey();
      const record = await insertApiKey(models, { tenant_id: tenant, name, prefix, key_hash: hash });
      log.info({ keyId: String(record._id), tenantId: tenant }, 'API key created');
      return { record, key };
    },

    list: (query: ApiKeyListQuery) => listApiKeys(models, query),

    async revoke(id: string): Promise<ApiKeyRecord | null> {
      const record = await revokeApiKey(models, id, clock());
      if (!record) return null;
      // Every API process drops it before this answers: the very next request with it fails.
      await cache?.revoke(record.key_hash);
      log.info({ keyId: id, tenantId: record.tenant_id }, 'API key revoked');
      return record;
    },

    /** Registers the development key from configuration for tenant `dev` (un-revoking it if needed). */
    async ensureDevKey(key: string): Promise<ApiKeyRecord> {
      await newTenant(DEV_TENANT_ID);
      const record = await upsertApiKey(models, {
        tenant_id: DEV_TENANT_ID,
        name: 'development key (api.dev_api_key)',
        prefix: displayPrefix(key),
        key_hash: hashKey(key),
      });
      log.warn(
        { tenantId: DEV_TENANT_ID, prefix: record.prefix },
        'a development API key is enabled (api.dev_api_key / API_DEV_API_KEY): never use it outside development',
      );
      return record;
    },
  };
}
