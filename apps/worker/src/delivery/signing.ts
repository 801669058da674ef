import { createHmac, randomBytes } from 'node:crypto';
import { ensureTenant, type Models } from '@event-scheduler/models';

const PREFIX = 'whsec_';

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (as the API creates them). */
export function newSigningSecret(): string {
  return `${PREFIX}${randomBytes(24).toString('base64')}`;
}

/** The HMAC key of a `whsec_<base64>` secret (the base64 part, decoded). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/**
 * The `webhook-signature` header of Standard Webhooks v1: `v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestamp}.${body}` for each secret, space-separated (two during a key rotation, so a
 * receiver holding either key accepts the request).
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  const content = `${id}.${timestamp}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content, 'utf8').digest('base64')}`)
    .join(' ');
}

export interface SecretStore {
  /** The tenant's signing secrets: the current one, then the previous one while it has not expired. */
  secretsFor(tenantId: string, now: Date): Promise<string[]>;
}

/**
 * Reads each tenant's secrets from `tenants`, creating the tenant (with a fresh secret) the first
 * time one signs anything, as the API does. Keeps them `ttlMs` (default 5 s) so a busy worker does
 * not read the tenant per callback, while a rotation through the API takes effect within seconds.
 */
export function createSecretStore({
  models,
  ttlMs = 5000,
}: {
  models: Pick<Models, 'tenants'>;
  ttlMs?: number;
}): SecretStore {
  const cache = new Map<string, { secrets: string[]; until: number }>();
  return {
    async secretsFor(tenantId, now) {
      const cached = cache.get(tenantId);
      if (cached && cached.until > now.getTime()) return cached.secrets;
      const tenant = await ensureTenant(models, tenantId, { name: tenantId, signing_secret: newSigningSecret() });
      const secrets = [tenant.signing_secret];
      const previousLive = tenant.previous_expires_at && tenant.previous_expires_at.getTime() > now.getTime();
      if (tenant.previous_signing_secret && previousLive) secrets.push(tenant.previous_signing_secret);
      // Cache no longer than the previous secret stays valid.
      const until = Math.min(now.getTime() + ttlMs, previousLive ? tenant.previous_expires_at!.getTime() : Infinity);
      cache.set(tenantId, { secrets, until });
      if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
      return secrets;
    },
  };
}
