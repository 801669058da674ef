import { isDuplicateKeyError } from './connect.js';
import type { Models } from './models.js';
import type { Tenant } from './tenant.schema.js';

type TenantModels = Pick<Models, 'tenants'>;

export async function findTenant(models: TenantModels, tenantId: string): Promise<Tenant | null> {
  return (await models.tenants.findOne({ _id: tenantId }).lean()) as Tenant | null;
}

/**
 * The tenant, created with `defaults` when it does not exist yet (lazily, on first use). Safe to
 * race: the `_id` is unique, so of two concurrent creations one wins and both read it back.
 */
export async function ensureTenant(
  models: TenantModels,
  tenantId: string,
  defaults: Pick<Tenant, 'name' | 'signing_secret'>,
): Promise<Tenant> {
  const existing = await findTenant(models, tenantId);
  if (existing) return existing;
  try {
    await models.tenants.create({
      _id: tenantId,
      ...defaults,
      previous_signing_secret: null,
      previous_expires_at: null,
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  return (await findTenant(models, tenantId)) as Tenant;
}

/** Replaces the signing secret; the old one keeps signing until `previousExpiresAt`. */
export async function rotateSigningSecret(
  models: TenantModels,
  tenant: Tenant,
  secret: string,
  previousExpiresAt: Date,
): Promise<Tenant> {
  await models.tenants.updateOne(
    { _id: tenant._id },
    {
      $set: {
        signing_secret: secret,
        previous_signing_secret: tenant.signing_secret,
        previous_expires_at: previousExpiresAt,
      },
    },
  );
  return (await findTenant(models, tenant._id)) as Tenant;
}
