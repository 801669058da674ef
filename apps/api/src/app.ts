import type { Logger } from '@event-scheduler/logging';
import type { ReadinessCheck } from '@event-scheduler/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerDocs } from './plugins/docs.js';
import { healthRoutes } from './routes/health/health.routes.js';

export interface AppDeps {
  log: Logger;
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
}

/** The API without a listening socket: `main.ts` listens, tests call `inject`. */
export async function buildApp({ log, checks, registry }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // fastify types its logger with its own pino version; ours is the same shape.
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 200 },
  });
  await registerDocs(app);
  await app.register(healthRoutes, { checks, registry });
  return app;
}
