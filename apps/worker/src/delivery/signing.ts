import { generateSigningSecret } from '@event-scheduler/callback';
import { ensureTenant, type Models } from '@event-scheduler/models';

export interface SecretStore {
  /** The tenant's signing secrets: the current one, then the previous one while it has not expired. */
  secretsFor(tenantId: string, now: Date): Promise<string[]>;
}

/**
 * Reads each tenant's secrets from `tenants`, creating the tenant (with a fresh secret) the first
 * time one signs anything, as the API does. Keeps them `ttlMs` (default 5 s) so a busy worker does
 * not read the tenant per callback, while a rotation through the API takes effect within seconds.
 * Concurrent lookups of one tenant (a batch's sends are prepared together) share one read.
 */
export function createSecretStore({
  models,
  ttlMs = 5000,
}: {
  models: Pick<Models, 'tenants'>;
  ttlMs?: number;
}): SecretStore {
  const cache = new Map<string, { secrets: string[]; until: number }>();
  const reading = new Map<string, Promise<string[]>>();
  return {
    secretsFor(tenantId, now) {
      const cached = cache.get(tenantId);
      if (cached && cached.until > now.getTime()) return Promise.resolve(cached.secrets);
      let read = reading.get(tenantId);
      if (!read) {
        read = readSecrets(tenantId, now).finally(() => reading.delete(tenantId));
        reading.set(tenantId, read);
      }
      return read;
    },
  };

  async function readSecrets(tenantId: string, now: Date): Promise<string[]> {
    const tenant = await ensureTenant(models, tenantId, { name: tenantId, signing_secret: generateSigningSecret() });
    const secrets = [tenant.signing_secret];
    const previousLive = tenant.previous_expires_at && tenant.previous_expires_at.getTime() > now.getTime();
    if (tenant.previous_signing_secret && previousLive) secrets.push(tenant.previous_signing_secret);
    // Cache no longer than the previous secret stays valid.
    const until = Math.min(now.getTime() + ttlMs, previousLive ? tenant.previous_expires_at!.getTime() : Infinity);
    cache.set(tenantId, { secrets, until });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
    return secrets;
  }
}
