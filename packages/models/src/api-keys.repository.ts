import { isValidObjectId, type Types } from 'mongoose';
import type { ApiKey } from './api-key.schema.js';
import { isDuplicateKeyError } from './connect.js';
import type { Models } from './models.js';

/** An API key as read with `.lean()`. */
export type ApiKeyRecord = ApiKey & { _id: Types.ObjectId };

type KeyModels = Pick<Models, 'apiKeys'>;

/** The key with this SHA-256, revoked or not (the caller decides; revoked keys fail at once). */
export async function findApiKeyByHash(models: KeyModels, keyHash: string): Promise<ApiKeyRecord | null> {
  return (await models.apiKeys.findOne({ key_hash: keyHash }).lean()) as ApiKeyRecord | null;
}

/** Records that a key was used; callers throttle it (at most once a minute per key). */
export async function touchApiKey(models: KeyModels, id: Types.ObjectId, now: Date): Promise<void> {
  await models.apiKeys.updateOne({ _id: id }, { $set: { last_used_at: now } });
}

export async function insertApiKey(
  models: KeyModels,
  key: Pick<ApiKey, 'tenant_id' | 'name' | 'prefix' | 'key_hash'>,
): Promise<ApiKeyRecord> {
  const created = await models.apiKeys.create({ ...key, last_used_at: null, revoked_at: null });
  return created.toObject() as ApiKeyRecord;
}

/**
 * Makes sure a key with this hash exists for the tenant and is not revoked (the development key,
 * registered at every start from configuration). Returns the key.
 */
export async function upsertApiKey(
  models: KeyModels,
  key: Pick<ApiKey, 'tenant_id' | 'name' | 'prefix' | 'key_hash'>,
): Promise<ApiKeyRecord> {
  const filter = { key_hash: key.key_hash };
  const update = {
    $set: { tenant_id: key.tenant_id, revoked_at: null },
    $setOnInsert: { name: key.name, prefix: key.prefix, last_used_at: null },
  };
  try {
    await models.apiKeys.updateOne(filter, update, { upsert: true });
  } catch (error) {
    // Two processes upserting at once: one insert wins the unique index; the other updates.
    if (!isDuplicateKeyError(error)) throw error;
    await models.apiKeys.updateOne(filter, update);
  }
  return (await models.apiKeys.findOne(filter).lean()) as ApiKeyRecord;
}

export interface ApiKeyListQuery {
  tenantId?: string;
  page: number;
  limit: number;
}

export async function listApiKeys(
  models: KeyModels,
  { tenantId, page, limit }: ApiKeyListQuery,
): Promise<{ items: ApiKeyRecord[]; total: number }> {
  const filter = tenantId ? { tenant_id: tenantId } : {};
  const [items, total] = await Promise.all([
    models.apiKeys
      .find(filter)
      .sort({ created_at: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    models.apiKeys.countDocuments(filter),
  ]);
  return { items: items as ApiKeyRecord[], total };
}

/** Revokes a key (idempotent; the first revocation time is kept). Null when there is no such key. */
export async function revokeApiKey(models: KeyModels, id: string, now: Date): Promise<ApiKeyRecord | null> {
  if (!isValidObjectId(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
  await models.apiKeys.updateOne({ _id: id, revoked_at: null }, { $set: { revoked_at: now } });
  return (await models.apiKeys.findOne({ _id: id }).lean()) as ApiKeyRecord | null;
}
