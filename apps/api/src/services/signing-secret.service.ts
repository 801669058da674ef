import { generateSigningSecret } from '@event-scheduler/callback';
import type { Logger } from '@event-scheduler/logging';
import { ensureTenant, type Models, rotateSigningSecret, type Tenant } from '@event-scheduler/models';
import type { Clock } from '@event-scheduler/scheduling';

export interface SigningSecretView {
  secret: string;
  previous_secret?: string;
  previous_expires_at?: string;
}

export interface SigningSecretServiceDeps {
  models: Pick<Models, 'tenants'>;
  clock: Clock;
  log: Logger;
  /** How long the previous secret keeps signing after a rotation (api.signing_secret_overlap_hours). */
  overlapMs: number;
}

export type SigningSecretService = ReturnType<typeof createSigningSecretService>;

/** The tenant's callback signing secret (Standard Webhooks `whsec_...`), created on first use. */
export function createSigningSecretService({ models, clock, log, overlapMs }: SigningSecretServiceDeps) {
  const tenantOf = (tenantId: string) =>
    ensureTenant(models, tenantId, { name: tenantId, signing_secret: generateSigningSecret() });

  const view = (tenant: Tenant, now: Date): SigningSecretView => {
    const previousLive =
      tenant.previous_signing_secret && tenant.previous_expires_at && tenant.previous_expires_at > now;
    return {
      secret: tenant.signing_secret,
      ...(previousLive
        ? {
            previous_secret: tenant.previous_signing_secret as string,
            previous_expires_at: (tenant.previous_expires_at as Date).toISOString(),
          }
        : {}),
    };
  };

  return {
    async get(tenantId: string): Promise<SigningSecretView> {
      return view(await tenantOf(tenantId), clock());
    },

    /** A new secret; the current one keeps signing too until the overlap ends. */
    async rotate(tenantId: string): Promise<SigningSecretView> {
      const now = clock();
      const tenant = await tenantOf(tenantId);
      const rotated = await rotateSigningSecret(
        models,
        tenant,
        generateSigningSecret(),
        new Date(now.getTime() + overlapMs),
      );
      log.info({ tenantId }, 'signing secret rotated');
      return view(rotated, now);
    },
  };
}
