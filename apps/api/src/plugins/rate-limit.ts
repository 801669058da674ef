import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

export interface RateLimitOptions {
  /** Requests per minute per API key (api.rate_limit_per_minute). */
  perMinute: number;
  /** Shared counters across API replicas; without it each process counts alone. */
  redis?: unknown;
  /** Key prefix of the counters in Redis. */
  nameSpace?: string;
  /** `preParsing` (default) counts after the key check, per key; `onRequest` counts every request, per key or address. */
  hook?: 'onRequest' | 'preParsing';
}

/**
 * Per-key rate limit for the routes registered after it in the same scope. It runs after the key
 * check (preParsing), so it counts per key, not per address, and before the body is parsed. When
 * Redis is unreachable, requests pass (a counter outage must not take the API down).
 */
export async function registerRateLimit(
  app: FastifyInstance,
  { perMinute, redis, nameSpace, hook = 'preParsing' }: RateLimitOptions,
) {
  await app.register(rateLimit, {
    global: true,
    hook,
    max: perMinute,
    timeWindow: 60_000,
    skipOnError: true,
    keyGenerator: (request) => request.principal?.keyId ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `rate limit of ${context.max} requests a minute exceeded; retry in ${context.after}`,
      ),
    ...(redis ? { redis, nameSpace: nameSpace ?? 'rate-limit-' } : {}),
  });
}
