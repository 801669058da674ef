/**
 * The worker in this process, composed as apps/worker/src/main.ts composes it (its own database
 * and Redis connections, engine, sender, batch service, change subscription and BullMQ worker on
 * the lane's shard 0 queue), with the default configuration except the allow list and delivery
 * settings. It also records what the tests look at: every database command the worker's client
 * starts (driver command monitoring, as `db_commands_total` counts them) and when each request
 * was written to its connection (the sender's own `writtenAt`).
 */
import { type Change, createEngine, createRuntimeStore, subscribeChanges } from '@event-scheduler/engine';
import { connectMongo, registerModels } from '@event-scheduler/models';
import { createRedis, waitForRedis } from '@event-scheduler/queues';
import type { Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { deliverySettings, loadWorkerConfig } from '../src/config.js';
import { type BatchService, createBatchService, type DeliverySettings } from '../src/delivery/batch.service.js';
import { createOverlapGuard } from '../src/delivery/overlap.js';
import { createSecretStore, type SecretStore } from '../src/delivery/signing.js';
import { createWorkerMetrics } from '../src/metrics.js';
import { createSender, parseAllowList, type Sender } from '../src/send/index.js';
import { createDeliveryWorker } from '../src/worker.js';
import { type Harness, type Lane, log } from './fixtures.js';

/** A database command the worker sent: its name, collection and when it started (epoch ms, sub-ms). */
export interface CommandSeen {
  name: string;
  collection: string | null;
  at: number;
}

/** A request the worker wrote: its event (webhook-id), x-attempt, and when it was written (epoch ms, sub-ms). */
export interface WriteSeen {
  eventId: string;
  attempt: string;
  writtenAt: number;
}

export interface InProcessWorker {
  worker: Worker;
  service: BatchService;
  registry: Registry;
  secrets: SecretStore;
  commands: CommandSeen[];
  writes: WriteSeen[];
  /** When each batch job started (the worker's `active` event; epoch ms, sub-ms). */
  batchesStarted: number[];
  stop(): Promise<void>;
}

const preciseNow = () => performance.timeOrigin + performance.now();

/** The sender, observed: every request written is recorded with its `writtenAt`. */
function observed(sender: Sender, writes: WriteSeen[]): Sender {
  return {
    ...sender,
    prepare: (request, options) => sender.prepare(request, options),
    async send(prepared, signal) {
      const result = await sender.send(prepared, signal);
      if (result.writtenAt !== null) {
        writes.push({
          eventId: prepared.request.headers['webhook-id'] ?? '',
          attempt: prepared.request.headers['x-attempt'] ?? '',
          writtenAt: result.writtenAt,
        });
      }
      return result;
    },
    stats: () => sender.stats(),
    close: () => sender.close(),
  };
}

export async function startWorker(
  h: Pick<Harness, 'services' | 'redisOptions' | 'lane'>,
  {
    allowList,
    lane = h.lane,
    settings,
    concurrency = 8,
    secrets: wrapSecrets,
    secretTtlMs,
  }: {
    allowList: string;
    lane?: Lane;
    settings?: Partial<DeliverySettings>;
    concurrency?: number;
    /** Wraps the worker's secret store (a test that needs to hold a batch while it is prepared). */
    secrets?: (store: SecretStore) => SecretStore;
    /** How long the worker keeps a tenant's secrets (the store's default: 5 s). */
    secretTtlMs?: number;
  },
): Promise<InProcessWorker> {
  const config = loadWorkerConfig({});
  const connection = await connectMongo({
    uri: h.services.mongoUrl,
    database: h.services.database,
    monitorCommands: true,
  });
  const commands: CommandSeen[] = [];
  connection.getClient().on('commandStarted', (event) => {
    const target = (event.command as Record<string, unknown>)[event.commandName];
    commands.push({
      name: event.commandName,
      collection: typeof target === 'string' ? target : null,
      at: preciseNow(),
    });
  });
  const models = registerModels(connection);
  const [producer, consumer, subscriber] = (['producer', 'consumer', 'consumer'] as const).map((role) =>
    createRedis({ connection: h.redisOptions, role }),
  ) as [ReturnType<typeof createRedis>, ReturnType<typeof createRedis>, ReturnType<typeof createRedis>];
  await Promise.all([waitForRedis(producer, 5000), waitForRedis(consumer, 5000)]);
  const engine = createEngine({ models, redis: producer, prefix: lane.prefix, log, windowMs: 0, leadMs: 0 });
  const writes: WriteSeen[] = [];
  const sender = observed(
    createSender({
      allowList: parseAllowList(allowList),
      capBytes: config.worker.response_cap_bytes,
      snippetBytes: config.worker.snippet_bytes,
      followRedirects: config.worker.follow_redirects,
    }),
    writes,
  );
  const realSecrets = createSecretStore({ models, ...(secretTtlMs === undefined ? {} : { ttlMs: secretTtlMs }) });
  const secrets = wrapSecrets ? wrapSecrets(realSecrets) : realSecrets;
  const registry = new Registry();
  const service = createBatchService({
    engine,
    runtime: createRuntimeStore(producer, engine.keys),
    sender,
    secrets,
    overlap: createOverlapGuard(producer, engine.keys),
    metrics: createWorkerMetrics(registry),
    log,
    settings: { ...deliverySettings(config.worker), ...settings },
  });
  const unsubscribe = await subscribeChanges(
    subscriber,
    engine.keys,
    (change: Change) =>
      void service.onChange(change).catch((error) => log.error({ err: error }, 'applying a change failed')),
    () => void service.recheck().catch((error) => log.error({ err: error }, 're-checking held sends failed')),
  );
  const worker = createDeliveryWorker({
    connection: consumer,
    prefix: engine.keys.queuePrefix(0),
    service,
    log,
    concurrency,
    lockDurationMs: 5000,
    stalledIntervalMs: 1000,
    maxStalledCount: 2,
  });
  const batchesStarted: number[] = [];
  worker.on('active', () => batchesStarted.push(preciseNow()));
  await worker.waitUntilReady();
  return {
    worker,
    service,
    registry,
    secrets: realSecrets,
    commands,
    writes,
    batchesStarted,
    async stop() {
      await worker.close();
      await service.flush();
      await engine.outcomes.flush();
      await unsubscribe();
      await sender.close();
      await Promise.all([producer.quit(), consumer.quit()]);
      await connection.close();
    },
  };
}
