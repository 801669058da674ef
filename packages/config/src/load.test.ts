import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import Type from 'typebox';
import { LogConfig, MongoConfig, RedisConfig, WorkerConfig } from './fragments.js';
import { ConfigError, envName, loadConfig } from './load.js';
import { redisConnectionOptions } from './redis.js';

const Schema = Type.Object({ mongo: MongoConfig, redis: RedisConfig, worker: WorkerConfig, log: LogConfig });

function catchConfigError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the defaults from config/config.yaml', () => {
    const config = loadConfig(Schema, { env: {} });
    expect(config.mongo.uri).toBe('mongodb://127.0.0.1:27017');
    expect(config.mongo.database).toBe('event_scheduler');
    expect(config.redis).toMatchObject({ host: '127.0.0.1', port: 6379 });
    expect(config.worker).toMatchObject({ count: 50, max_retries: 5 });
    expect(config.log.level).toBe('info');
  });

  it('applies the original environment overrides and URL aliases, typed', () => {
    const config = loadConfig(Schema, {
      env: {
        MONGO_URI: 'mongodb://db:27017',
        MONGO_DATABASE: 'other',
        REDIS_HOST: 'cache',
        REDIS_PORT: '6380',
        WORKER_COUNT: '25',
        WORKER_MAX_RETRIES: '0',
        LOG_LEVEL: 'debug',
      },
    });
    expect(config).toMatchObject({
      mongo: { uri: 'mongodb://db:27017', database: 'other' },
      redis: { host: 'cache', port: 6380 },
      worker: { count: 25, max_retries: 0 },
      log: { level: 'debug' },
    });
    const aliased = loadConfig(Schema, { env: { MONGO_URL: 'mongodb://x:1', REDIS_URL: 'redis://:pw@r:6390/2' } });
    expect(aliased.mongo.uri).toBe('mongodb://x:1');
    expect(redisConnectionOptions(aliased.redis)).toEqual({ host: 'r', port: 6390, password: 'pw', db: 2 });
  });

  it('names the key, the variable, the value and what was expected, on one line', () => {
    const error = catchConfigError(() => loadConfig(Schema, { env: { WORKER_COUNT: 'abc' } }));
    expect(error.message).toBe(
      'invalid configuration: worker.count = "abc" (from WORKER_COUNT): expected an integer >= 1 and <= 1000',
    );
    expect(error.message).not.toContain('\n');
  });

  it('checks every entry of the SSRF allow list, with the same one-line message as any other key', () => {
    const error = catchConfigError(() =>
      loadConfig(Schema, { env: { WORKER_SSRF_ALLOW_LIST: '127.0.0.1, 10.0.0.0/99', WORKER_COUNT: '0' } }),
    );
    expect(error.message).toBe(
      'invalid configuration: worker.count = 0 (from WORKER_COUNT): expected an integer >= 1 and <= 1000; ' +
        'worker.ssrf_allow_list = "127.0.0.1, 10.0.0.0/99" (from WORKER_SSRF_ALLOW_LIST): ' +
        'expected empty or a comma-separated list of IPs, CIDRs and host names (10.0.0.0/99 is not a valid CIDR)',
    );
    for (const bad of ['10.0.0.300', 'fd00::zz', 'a b', 'x;y']) {
      const issue = catchConfigError(() => loadConfig(Schema, { env: { WORKER_SSRF_ALLOW_LIST: bad } })).issues[0];
      expect(issue?.key).toBe('worker.ssrf_allow_list');
    }
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'number.yaml');
    writeFileSync(file, 'worker:\n  ssrf_allow_list: 12\n');
    const notText = catchConfigError(() => loadConfig(Type.Object({ worker: WorkerConfig }), { env: {}, file }));
    expect(notText.issues.map((i) => i.key)).toContain('worker.ssrf_allow_list');
    const good = loadConfig(Schema, { env: { WORKER_SSRF_ALLOW_LIST: '127.0.0.0/8, [::1], localhost' } });
    expect(good.worker.ssrf_allow_list).toBe('127.0.0.0/8, [::1], localhost');
  });

  it('reports every bad value at once', () => {
    const error = catchConfigError(() =>
      loadConfig(Schema, { env: { WORKER_COUNT: '0', LOG_LEVEL: 'loud', REDIS_PORT: '70000', MONGO_URL: 'http://x' } }),
    );
    expect(error.issues.map((i) => i.key).sort()).toEqual(['log.level', 'mongo.uri', 'redis.port', 'worker.count']);
    expect(error.message).toContain('log.level = "loud" (from LOG_LEVEL): expected one of fatal, error, warn, info');
    expect(error.message).toContain('mongo.uri = "http://x" (from MONGO_URL)');
  });

  it('rejects unknown keys and broken YAML in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'worker:\n  count: 2\n  max_retry: 3\n  max_retries: 1\n  health_port: 1\n');
    const error = catchConfigError(() => loadConfig(Type.Object({ worker: WorkerConfig }), { env: {}, file: typo }));
    expect(error.message).toContain('worker.max_retry');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'worker: [\n');
    expect(catchConfigError(() => loadConfig(Schema, { env: {}, file: broken })).message).toContain(
      'expected valid YAML',
    );
  });

  it('returns a frozen object', () => {
    const config = loadConfig(Schema, { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.worker)).toBe(true);
  });

  it('maps key paths to variable names', () => {
    expect(envName('prequeuer.ticker_interval_seconds')).toBe('PREQUEUER_TICKER_INTERVAL_SECONDS');
    expect(envName('prequeuer.event_timeframe_minutes')).toBe('PREQUEUER_EVENT_TIMEFRAME_MINUTES');
  });
});
