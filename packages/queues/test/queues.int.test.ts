import { testServices } from '@event-scheduler/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  createQueues,
  createRedis,
  enqueue,
  JOBS,
  type OccurrenceJob,
  occurrenceJobId,
  parseJob,
  QUEUE_NAMES,
  waitForRedis,
} from '../src/index.js';

const services = testServices('queues');
const url = new URL(services.redisUrl);
const connection = { host: url.hostname, port: Number(url.port || 6379) };
let producer: Redis;
let consumer: Redis;

beforeAll(async () => {
  producer = createRedis({ connection, role: 'producer' });
  consumer = createRedis({ connection, role: 'consumer' });
  await Promise.all([waitForRedis(producer, 5000), waitForRedis(consumer, 5000)]);
});

afterAll(async () => {
  const keys = await producer.keys(`${services.queuePrefix}:*`);
  if (keys.length) await producer.del(...keys);
  await Promise.all([producer.quit(), consumer.quit()]);
});

const payload = (scheduleId: string, at: Date): OccurrenceJob => ({
  tenant_id: 'tenant-a',
  event_id: 'a'.repeat(24),
  schedule_id: scheduleId,
  schedule_version: 1,
  occurrence_at: at.toISOString(),
});

describe('BullMQ through Redis', () => {
  it('round-trips a job once, however often it is enqueued', async () => {
    const queues = createQueues({ connection: producer, prefix: services.queuePrefix });
    const at = new Date('2030-01-01T00:00:00Z');
    const scheduleId = 'b'.repeat(24);
    const jobId = occurrenceJobId(scheduleId, at);
    expect(jobId).toBe(`${scheduleId}-${at.getTime()}`);

    const received: OccurrenceJob[] = [];
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const worker = new Worker(
      QUEUE_NAMES.ready,
      async (job: Job) => {
        received.push(parseJob('dispatch', job));
        resolveDone();
        return 'ok';
      },
      { connection: consumer, prefix: services.queuePrefix },
    );
    worker.on('error', () => undefined);

    await enqueue(queues, 'dispatch', [{ jobId, payload: payload(scheduleId, at) }]);
    await enqueue(queues, 'dispatch', [{ jobId, payload: payload(scheduleId, at) }]);
    await done;
    await worker.close();
    expect(received).toEqual([payload(scheduleId, at)]);
    expect(await queues.queue(QUEUE_NAMES.ready).getJobCounts('completed', 'waiting', 'delayed', 'failed')).toEqual({
      completed: 0,
      waiting: 0,
      delayed: 0,
      failed: 0,
    });
    await queues.close();
  });

  it('refuses a malformed payload permanently', () => {
    expect(() => parseJob('deliver', { id: 'x', data: { tenant_id: '' } })).toThrow(/invalid deliver payload/);
    expect(JOBS.deliver.queue).toBe('worker_queue');
  });
});
