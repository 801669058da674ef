/**
 * The baseline every delivery figure is compared with: raw BullMQ delayed jobs consumed by a bare
 * worker that makes the same HTTP call (got, keep-alive, POST of a small JSON body). No database,
 * no planning, no dispatcher. Runs as its own process, like our worker, so CPU is comparable.
 * Env: REDIS_URL, QUEUE (name), CONCURRENCY, TARGET (receiver URL).
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'bullmq';
import got from 'got';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const client = got.extend({
  agent: { http: agent },
  retry: { limit: 0 },
  followRedirect: false,
  throwHttpErrors: false,
  timeout: { request: 10_000 },
});
const target = process.env.TARGET ?? '';

const worker = new Worker(
  process.env.QUEUE ?? 'baseline',
  async (job) => {
    const data = job.data as { due: number; id: string };
    await client.post(target, {
      body: JSON.stringify({ id: data.id, due: data.due }),
      headers: { 'content-type': 'application/json', 'x-due': String(data.due), 'x-id': data.id },
    });
  },
  {
    connection,
    concurrency: Number(process.env.CONCURRENCY ?? 50),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  },
);
worker.on('error', (error) => console.error(error));
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
await worker.waitUntilReady();
console.log('ready');
// SIGUSR2: print the event-loop delay p99 since the last report, then start over.
process.on('SIGUSR2', () => {
  console.log(JSON.stringify({ eventLoopP99Ms: loop.percentile(99) / 1e6 }));
  loop.reset();
});
process.once('SIGTERM', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
