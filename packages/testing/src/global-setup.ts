/**
 * Jest globalSetup for the integration project. Uses MONGO_URL and REDIS_URL when set (the test
 * script sets them to the FerretDB and Redis it provisioned); otherwise, where a Docker engine
 * exists, starts real `mongo` and `redis` containers with testcontainers. Never a mock.
 */
import { execFileSync } from 'node:child_process';

interface Started {
  stop(): Promise<unknown>;
}
const started: Started[] = [];

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGO_URL && process.env.REDIS_URL) return;
  if (!dockerAvailable()) {
    throw new Error(
      'integration tests need MONGO_URL and REDIS_URL, or a Docker engine for testcontainers: run ./scripts/test.sh, which provisions FerretDB and Redis',
    );
  }
  const { GenericContainer, Wait } = await import('testcontainers');
  if (!process.env.MONGO_URL) {
    const mongo = await new GenericContainer('mongo:8')
      .withExposedPorts(27017)
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    started.push(mongo);
    process.env.MONGO_URL = `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}`;
  }
  if (!process.env.REDIS_URL) {
    const redis = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    started.push(redis);
    process.env.REDIS_URL = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  }
  (globalThis as { __eventSchedulerContainers?: Started[] }).__eventSchedulerContainers = started;
}
