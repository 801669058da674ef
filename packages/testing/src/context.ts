import { randomBytes } from 'node:crypto';

export interface TestServices {
  mongoUrl: string;
  redisUrl: string;
  /** A database of this test file's own, dropped by its cleanup. */
  database: string;
  /** A BullMQ key prefix of this test file's own. */
  queuePrefix: string;
  /** Environment overrides that point a service's config at these. */
  env: Record<string, string>;
}

/**
 * Names private to one test file, so files can run in parallel against the same servers: a
 * database and a queue prefix that nothing else uses.
 */
export function testServices(label: string): TestServices {
  const mongoUrl = process.env.MONGO_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!mongoUrl || !redisUrl)
    throw new Error('MONGO_URL and REDIS_URL are not set: run the integration tests through jest globalSetup');
  const id = `${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const database = `t_${id}`;
  const queuePrefix = `t_${id}`;
  return {
    mongoUrl,
    redisUrl,
    database,
    queuePrefix,
    env: { MONGO_URL: mongoUrl, MONGO_DATABASE: database, REDIS_URL: redisUrl, REDIS_QUEUE_PREFIX: queuePrefix },
  };
}
