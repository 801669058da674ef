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
    health_port: Port,
  },
  { additionalProperties: false },
);

export const DispatcherConfig = Type.Object({ health_port: Port }, { additionalProperties: false });

export const WorkerConfig = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 1000 }),
    max_retries: Type.Integer({ minimum: 0, maximum: 100 }),
    health_port: Port,
  },
  { additionalProperties: false },
);

export const ApiConfig = Type.Object(
  { host: Type.String({ minLength: 1 }), port: Port },
  { additionalProperties: false },
);
