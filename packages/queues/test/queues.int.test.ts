import { freePort, testServices } from '@event-scheduler/testing';
import { describe, expect, it } from '@jest/globals';
import { createRedis, waitForRedis } from '../src/index.js';

const services = testServices('queues');
const url = new URL(services.redisUrl);
const connection = { host: url.hostname, port: Number(url.port || 6379) };

describe('redis connections', () => {
  it('connect in both roles and answer', async () => {
    const producer = createRedis({ connection, role: 'producer' });
    const consumer = createRedis({ connection, role: 'consumer' });
    await Promise.all([waitForRedis(producer, 5000), waitForRedis(consumer, 5000)]);
    expect(await producer.ping()).toBe('PONG');
    expect(consumer.options.maxRetriesPerRequest).toBeNull();
    await Promise.all([producer.quit(), consumer.quit()]);
  });

  it('a producer fails a command at once while Redis is away; waiting names the address', async () => {
    const port = await freePort();
    const errors: string[] = [];
    const producer = createRedis({
      connection: { host: '127.0.0.1', port },
      role: 'producer',
      onError: (e) => errors.push(e.message),
    });
    await expect(producer.get('x')).rejects.toThrow();
    await expect(waitForRedis(producer, 300)).rejects.toThrow(`cannot reach Redis at 127.0.0.1:${port}`);
    expect(errors.length).toBeGreaterThan(0);
    producer.disconnect();
  });
});
