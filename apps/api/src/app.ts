import type { Logger } from '@event-scheduler/logging';
import type { ReadinessCheck } from '@event-scheduler/runtime';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { errorHandler, notFoundHandler } from './errors.js';
import { requireAdminKey, requireApiKey } from './plugins/auth.js';
import { createAuthFailureLimit, DEFAULT_AUTH_FAILURES_PER_MINUTE } from './plugins/auth-failures.js';
import { registerJsonBodies } from './plugins/body.js';
import { registerConsole } from './plugins/console.js';
import { registerDocs } from './plugins/docs.js';
import { registerHttpMetrics } from './plugins/metrics.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { apiKeyRoutes } from './routes/admin/api-keys.routes.js';
import { ErrorSchema } from './routes/common.schemas.js';
import { eventRoutes } from './routes/events/events.routes.js';
import { EventSchema } from './routes/events/events.schemas.js';
import { healthRoutes } from './routes/health/health.routes.js';
import { rruleRoutes } from './routes/rrule/rrule.routes.js';
import { scheduleRoutes } from './routes/schedules/schedules.routes.js';
import { ScheduleSchema } from './routes/schedules/schedules.schemas.js';
import { signingSecretRoutes } from './routes/signing-secret/signing-secret.routes.js';
import { statsRoutes } from './routes/stats/stats.routes.js';
import type { ApiServices } from './services/index.js';

export interface AppSettings {
  /** Largest request body (api.body_limit_bytes); larger is 413. */
  bodyLimitBytes: number;
  /** Requests per minute per API key (api.rate_limit_per_minute). */
  rateLimitPerMinute: number;
  /** The admin key (api.admin_api_key); empty turns /admin off. */
  adminApiKey: string;
  /** An ioredis client for rate-limit counters shared by every API process; default per process. */
  rateLimitRedis?: unknown;
  /** Key prefix of those counters. */
  rateLimitNamespace?: string;
  /** Failed key checks per client address and minute (api.auth_failures_per_minute); default 20. */
  authFailuresPerMinute?: number;
}

export interface AppDeps {
  log: Logger;
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
  services: ApiServices;
  settings: AppSettings;
}

export const SHARED_SCHEMAS = [ErrorSchema, ScheduleSchema, EventSchema];

/** Most request headers accepted; the header block is also capped at Node's 16 KiB (431 above). */
const MAX_HEADERS = 100;

/** The API without a listening socket: `main.ts` listens, tests call `inject`. */
export async function buildApp({ log, checks, registry, services, settings }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // fastify types its logger with its own pino version; ours is the same shape.
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: settings.bodyLimitBytes,
    routerOptions: { maxParamLength: 200 },
    // A client that trickles its request cannot hold a connection for ever.
    requestTimeout: 30_000,
    // Errors fastify raises before routing (a badly encoded URL, a path parameter over
    // maxParamLength) get the same error shape as everything else.
    frameworkErrors: (error, request, reply) => void errorHandler(error, request, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxHeadersCount = MAX_HEADERS;
  // TypeBox checks bodies as sent (no type coercion, unknown fields rejected by the schemas) and
  // converts only query strings and path parameters, which arrive as text.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.decorateRequest('principal', null);
  // Shared by many responses; the OpenAPI document lists them once as components.
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  registerJsonBodies(app);
  registerHttpMetrics(app, registry);
  await registerDocs(app);
  await app.register(healthRoutes, { checks, registry });
  await registerConsole(app, { log });

  // Key guessing, per client address, before any key is looked at (the request limits below count
  // per key, so only requests that pass the key check).
  const failedKeys = createAuthFailureLimit({
    perMinute: settings.authFailuresPerMinute ?? DEFAULT_AUTH_FAILURES_PER_MINUTE,
    redis: settings.rateLimitRedis,
    nameSpace: `${settings.rateLimitNamespace ?? 'rate-limit-'}auth-failures-`,
  });

  await app.register(async (api) => {
    api.addHook('onRequest', failedKeys.refuseGuessers);
    api.addHook('onRequest', requireApiKey(services.apiKeys, failedKeys));
    await registerRateLimit(api, {
      perMinute: settings.rateLimitPerMinute,
      redis: settings.rateLimitRedis,
      ...(settings.rateLimitNamespace ? { nameSpace: settings.rateLimitNamespace } : {}),
    });
    const { schedules, occurrences, events, signingSecrets } = services;
    await api.register(scheduleRoutes, { schedules, occurrences });
    await api.register(rruleRoutes, { previews: services.previews });
    await api.register(eventRoutes, { events });
    await api.register(signingSecretRoutes, { signingSecrets });
    await api.register(statsRoutes, { stats: services.stats });
  });

  await app.register(async (admin) => {
    // Every request, per client address, before the key check; failed keys are limited on their own.
    admin.addHook('onRequest', failedKeys.refuseGuessers);
    await registerRateLimit(admin, {
      perMinute: settings.rateLimitPerMinute,
      redis: settings.rateLimitRedis,
      nameSpace: `${settings.rateLimitNamespace ?? 'rate-limit-'}admin-`,
      hook: 'onRequest',
    });
    admin.addHook('onRequest', requireAdminKey(settings.adminApiKey, failedKeys));
    await admin.register(apiKeyRoutes, { apiKeys: services.apiKeys });
  });
  return app;
}
