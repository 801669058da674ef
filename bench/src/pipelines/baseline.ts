import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Child, startNode } from '../lib/child.js';
import type { Pipeline } from '../lib/delivery-run.js';

const WORKER = fileURLToPath(new URL('../baseline-worker.js', import.meta.url));

/** Raw BullMQ: delayed jobs added 2 s before they are due, `workers` bare worker processes (default 1). */
export async function startBaseline({
  redisUrl,
  receiverUrl,
  concurrency = 50,
  workers: processes = 1,
}: {
  redisUrl: string;
  receiverUrl: string;
  concurrency?: number;
  workers?: number;
}) {
  const queueName = `baseline${Date.now()}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection });
  const children: Child[] = Array.from({ length: processes }, () =>
    startNode(WORKER, { REDIS_URL: redisUrl, QUEUE: queueName, CONCURRENCY: String(concurrency), TARGET: receiverUrl }),
  );
  for (const child of children) await child.waitForLine(/^ready$/);
  const worker = children[0] as Child;
  const pipeline: Pipeline & { stop(): Promise<void> } = {
    name: 'raw BullMQ',
    pids: () =>
      Object.fromEntries(children.map((c, i) => [i === 0 ? 'worker' : `worker${i + 1}`, c.process.pid ?? -1])),
    async schedule({ rate, seconds, t0 }) {
      // Like a planner: each second's jobs go in 2 s ahead, in bulks of 1000.
      void (async () => {
        for (let s = 0; s < seconds; s++) {
          const due = t0 + s * 1000;
          const wait = due - 2000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          for (let from = 0; from < rate; from += 1000) {
            const jobs = [];
            for (let i = from; i < Math.min(rate, from + 1000); i++) {
              const id = `${due}-${i}`;
              jobs.push({
                name: 'cb',
                data: { due, id },
                opts: { jobId: id, delay: Math.max(0, due - Date.now()), removeOnComplete: true },
              });
            }
            await queue.addBulk(jobs);
          }
        }
      })();
    },
    async eventLoopP99(): Promise<Record<string, number>> {
      const before = worker.lines.length;
      worker.process.kill('SIGUSR2');
      const line = await worker.waitForLine(/eventLoopP99Ms/, 5000, before).catch(() => '');
      return line ? { worker: (JSON.parse(line) as { eventLoopP99Ms: number }).eventLoopP99Ms } : {};
    },
    async stop() {
      for (const child of children) await child.stop();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      connection.disconnect();
    },
  };
  return pipeline;
}
