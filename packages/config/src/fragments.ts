import { allowListProblem } from '@event-scheduler/callback';
import Type from 'typebox';

/** Building blocks that each service's config schema composes. Defaults live in config/config.yaml. */

export const Port = Type.Integer({ minimum: 0, maximum: 65535 });
export const Seconds = Type.Number({ exclusiveMinimum: 0 });

export const MongoConfig = Type.Object(
  {
    uri: Type.String({ pattern: '^mongodb(\\+srv)?://', description: 'a mongodb:// or mongodb+srv:// URL' }),
    database: Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}$', description: 'a database name' }),
    connect_timeout_seconds: Seconds,
  },
  { additionalProperties: false },
);

export const RedisConfig = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Port,
    url: Type.String({ pattern: '^(rediss?://.*)?$', description: 'empty or a redis:// URL' }),
    queue_prefix: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
    shards: Type.Integer({ minimum: 1, maximum: 1024 }),
    connect_timeout_seconds: Seconds,
  },
  { additionalProperties: false },
);

export const LogConfig = Type.Object(
  {
    level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { description: 'one of fatal, error, warn, info, debug, trace, silent' },
    ),
  },
  { additionalProperties: false },
);

export const ShutdownConfig = Type.Object({ timeout_seconds: Seconds }, { additionalProperties: false });

export const PrequeuerConfig = Type.Object(
  {
    ticker_interval_seconds: Seconds,
    event_timeframe_minutes: Type.Number({ exclusiveMinimum: 0 }),
    tick_batch_size: Type.Integer({ minimum: 1, maximum: 10_000 }),
    reconcile_interval_seconds: Seconds,
    epoch_check_interval_seconds: Seconds,
    live_retention_minutes: Type.Number({ exclusiveMinimum: 0 }),
    archive_retention_days: Type.Number({ exclusiveMinimum: 0 }),
    purge_interval_seconds: Seconds,
    health_port: Port,
  },
  { additionalProperties: false },
);

export const DispatcherConfig = Type.Object(
  {
    lead_ms: Type.Integer({ minimum: 100, maximum: 60_000 }),
    poll_interval_ms: Type.Integer({ minimum: 1, maximum: 10_000 }),
    batch_size: Type.Integer({ minimum: 1, maximum: 10_000 }),
    lease_ms: Type.Integer({ minimum: 1000, maximum: 600_000 }),
    health_port: Port,
  },
  { additionalProperties: false },
);

const PositiveMs = Type.Integer({ minimum: 1, maximum: 86_400_000 });

const ALLOW_LIST_SHAPE = 'empty or a comma-separated list of IPs, CIDRs and host names';

/**
 * `worker.ssrf_allow_list`, read by the worker (its connection guard) and the API (which refuses
 * callback URLs the guard would refuse): every entry is checked here, by the same parser both use,
 * so a bad entry stops either at start with the usual one-line message.
 */
export const SsrfAllowList = Type.Refine(
  Type.String({ pattern: '^[A-Za-z0-9.:/_\\[\\], -]*$', description: ALLOW_LIST_SHAPE }),
  (text) => allowListProblem(text) === null,
  (text) => `${ALLOW_LIST_SHAPE} (${allowListProblem(text)})`,
);

export const WorkerConfig = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 1000 }),
    max_retries: Type.Integer({ minimum: 0, maximum: 100 }),
    health_port: Port,
    ssrf_allow_list: SsrfAllowList,
    response_cap_bytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
    snippet_bytes: Type.Integer({ minimum: 0, maximum: 65_536 }),
    retryable_4xx: Type.String({
      pattern: '^(4\\d\\d( *, *4\\d\\d)*)?$',
      description: 'empty or a comma-separated list of 4xx statuses, such as "408,429"',
    }),
    follow_redirects: Type.Boolean(),
    retry_after_max_ms: PositiveMs,
    lock_duration_ms: Type.Integer({ minimum: 1000, maximum: 3_600_000 }),
    stalled_interval_ms: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
    max_stalled_count: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
);

export const ApiConfig = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Port,
    dev_api_key: Type.String({ maxLength: 256, description: 'empty, or a development API key (never in production)' }),
    admin_api_key: Type.String({ maxLength: 256, description: 'empty (admin endpoints off) or the admin key' }),
    body_limit_bytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
    rate_limit_per_minute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    auth_failures_per_minute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    min_interval_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    signing_secret_overlap_hours: Type.Number({ minimum: 0, maximum: 24 * 90 }),
    backfill_max_occurrences: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);
