import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorBody } from '../errors.js';

/** Failed key checks one client address may make per minute when none is configured. */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 20;

const WINDOW_MS = 60_000;
/** Addresses remembered at once without Redis; the oldest is forgotten first. */
const MAX_LOCAL_ADDRESSES = 10_000;

/** What the limiter needs of an ioredis client. */
interface CounterRedis {
  incr(key: string): Promise<number>;
  pexpire(key: string, ms: number): Promise<number>;
  get(key: string): Promise<string | null>;
}

interface FailureCounts {
  get(key: string): Promise<number>;
  increment(key: string): Promise<void>;
}

function redisCounts(redis: CounterRedis): FailureCounts {
  return {
    get: async (key) => Number((await redis.get(key)) ?? 0),
    async increment(key) {
      if ((await redis.incr(key)) === 1) await redis.pexpire(key, WINDOW_MS * 2);
    },
  };
}

function localCounts(): FailureCounts {
  const counts = new Map<string, number>();
  return {
    get: async (key) => counts.get(key) ?? 0,
    async increment(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (counts.size > MAX_LOCAL_ADDRESSES) counts.delete(counts.keys().next().value as string);
    },
  };
}

export interface AuthFailureLimitOptions {
  /** Failed key checks per client address and minute before it is refused (api.auth_failures_per_minute). */
  perMinute: number;
  /** Shared counters across API replicas (an ioredis client); without it each process counts alone. */
  redis?: unknown;
  /** Key prefix of those counters. */
  nameSpace?: string;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

export interface AuthFailureLimit {
  /** onRequest hook, before the key check: 429 for an address that failed too often this minute. */
  refuseGuessers(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** Counts one failed key check (a key was presented and was wrong) against the request's address. */
  recordFailure(request: FastifyRequest): Promise<void>;
}

/**
 * Limits key guessing per client address. Only failures count, so a busy client with a valid key
 * never runs into it; the check comes before the key is looked at, so a refused address learns
 * nothing more, not even whether its next guess was right; and it is per address, never per key
 * or tenant, so a guesser cannot lock a tenant out: its keys keep working from everywhere else.
 * Fixed one-minute windows. When Redis is unreachable, requests pass (as with the request limit).
 */
export function createAuthFailureLimit({
  perMinute,
  redis,
  nameSpace = 'auth-failures-',
  now = Date.now,
}: AuthFailureLimitOptions): AuthFailureLimit {
  const counts = redis ? redisCounts(redis as CounterRedis) : localCounts();
  const keyOf = (request: FastifyRequest, window: number) => `${nameSpace}${request.ip}:${window}`;
  return {
    async refuseGuessers(request, reply) {
      const at = now();
      const window = Math.floor(at / WINDOW_MS);
      const failures = await counts.get(keyOf(request, window)).catch((error: unknown) => {
        request.log.warn({ err: error }, 'authentication failure counter unavailable; request let through');
        return 0;
      });
      if (failures < perMinute) return undefined;
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - at) / 1000));
      const error = new AppError(
        'rate_limited',
        `too many failed authentication attempts from this address; retry in ${retryAfter} s`,
      );
      request.log.info({ ip: request.ip, failures }, 'authentication attempts refused');
      return reply.code(error.statusCode).header('retry-after', String(retryAfter)).send(errorBody(error));
    },
    async recordFailure(request) {
      await counts.increment(keyOf(request, Math.floor(now() / WINDOW_MS))).catch((error: unknown) => {
        request.log.warn({ err: error }, 'authentication failure not counted');
      });
    },
  };
}
