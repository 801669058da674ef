// Requirement 1 of issue 5: a planning tick reads only the schedules due inside the window, so its
// cost follows the occurrences due, not the schedules stored. Stores 1k, 10k, 100k (and on demand
// 1M) schedules, the same 1,000 due each time, and prints one tick's time and memory per size, with
// the ratio to the smallest; a full run writes bench/results and docs/benchmarks.md (not --no-write).
//
//   bash scripts/bench.sh planning                                   # 1k, 10k and 100k (~5 min on FerretDB)
//   bash scripts/bench.sh planning --sizes 10000,100000,1000000      # 1M on demand (~25 min on FerretDB v1)
//   bash scripts/bench.sh planning --smoke                           # 1k and 5k, under a minute, for CI
//
// On FerretDB v1 the tick grows with the schedules stored: it uses no index (see the engine's
// README); on MongoDB the schedule_plans next_run_at index and _id lookups keep it flat.
//
// MONGO_URL / REDIS_URL choose the servers (default: the test services); a private database and
// queue prefix are used and dropped. Runs against the built packages (dist/).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { createEngine, planningTick } from '../../packages/engine/dist/index.js';
import { createLogger } from '../../packages/logging/dist/index.js';
import { connectMongo, ensureIndexes, findDuePlans, registerModels } from '../../packages/models/dist/index.js';
import { createRedis, waitForRedis } from '../../packages/queues/dist/index.js';
import { compileRule } from '../../packages/scheduling/dist/index.js';
import { publish, table } from '../dist/lib/report.js';
import { benchPlanDoc, benchScheduleDoc } from '../dist/lib/seed.js';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    due: { type: 'string' },
    batch: { type: 'string', default: '5000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const sizes = (args.sizes ?? (args.smoke ? '1000,5000' : '1000,10000,100000')).split(',').map(Number);
const due = Number(args.due ?? (args.smoke ? 100 : 1000));
const insertBatch = Number(args.batch);
const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27018';
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const WINDOW_MS = 10 * 60_000;

const id = randomBytes(4).toString('hex');
const connection = await connectMongo({
  uri: mongoUrl,
  database: `bench_planning_${id}`,
  serverSelectionTimeoutMs: 10_000,
});
const models = registerModels(connection);
await ensureIndexes(connection);
for (const model of Object.values(models)) await model.createCollection().catch(() => undefined);
const redis = createRedis({
  connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) },
  role: 'producer',
});
await waitForRedis(redis, 5000);
const prefix = `benchplan_${id}`;
const log = createLogger({ service: 'bench', level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
const engine = createEngine({ models, redis, prefix, log, windowMs: WINDOW_MS, leadMs: 1500 });
const clearPlan = async () => {
  const keys = await redis.keys(`*${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
};

const now = new Date();
// Due schedules: every 5 minutes from a minute ago, so two occurrences fall inside the window.
const dueRule = compileRule(
  { text: 'FREQ=MINUTELY;INTERVAL=5', timezone: 'UTC', now: new Date(now.getTime() - 60_000) },
  { minIntervalSeconds: 1 },
);
// Idle schedules: daily, next run a day or more ahead (outside any window).
const idleRule = compileRule(
  { text: 'FREQ=DAILY', timezone: 'UTC', now: new Date(now.getTime() + 86_400_000) },
  { minIntervalSeconds: 1 },
);
if (!dueRule.ok || !idleRule.ok) throw new Error('bench rules do not compile');

/** A schedule and its plan (the plan holds the next run the tick's query reads). */
function seeded(rule, nextRunAt, benchDue) {
  const schedule = {
    _id: new Types.ObjectId(),
    ...benchScheduleDoc(
      {
        rrule: rule.rule.text,
        callback_url: 'http://127.0.0.1:9/bench',
        not_before: new Date(now.getTime() - 120_000),
      },
      now,
    ),
  };
  return { schedule, plan: { ...benchPlanDoc(schedule, nextRunAt, now), bench_due: benchDue } };
}

async function insert(count, make) {
  const started = performance.now();
  for (let done = 0; done < count; done += insertBatch) {
    const n = Math.min(insertBatch, count - done);
    const docs = Array.from({ length: n }, (_, i) => make(done + i));
    await models.schedules.collection.insertMany(
      docs.map((d) => d.schedule),
      { ordered: false },
    );
    await models.schedulePlans.collection.insertMany(
      docs.map((d) => d.plan),
      { ordered: false },
    );
  }
  return count / ((performance.now() - started) / 1000);
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const idleNext = (i) => new Date(now.getTime() + 86_400_000 + (i % 86_400) * 1000);

console.log(`planning tick benchmark: window 10 min, ${due} schedules due, node ${process.version}, ${mongoUrl}`);
await insert(due, () => seeded(dueRule, new Date(now.getTime() - 60_000), true));
let stored = due;
const rows = [];
for (const size of sizes) {
  const rate = size > stored ? await insert(size - stored, (i) => seeded(idleRule, idleNext(i), false)) : null;
  stored = Math.max(stored, size);
  // Same starting point for every size: the due schedules unplanned, no events, an empty plan.
  await models.schedulePlans.collection.updateMany(
    { bench_due: true },
    { $set: { cursor: null, next_run_at: new Date(Date.now() - 60_000) } },
  );
  await models.events.collection.deleteMany({});
  await clearPlan();
  global.gc?.();
  const queryStarted = performance.now();
  const found = await findDuePlans(models, { until: new Date(Date.now() + WINDOW_MS / 2), limit: 500 });
  const queryMs = performance.now() - queryStarted;
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  const outcome = await planningTick(engine, { clock: () => new Date() });
  const tickMs = performance.now() - started;
  clearInterval(sampler);
  const after = process.memoryUsage();
  const row = {
    stored: size,
    due: outcome.schedules,
    events: outcome.planned,
    'tick ms': Math.round(tickMs),
    'query ms': Math.round(queryMs),
    batches: outcome.batches,
    'peak rss MB': mb(Math.max(peakRss, after.rss)),
    'heap delta MB': mb(after.heapUsed - before.heapUsed),
    'insert/s': rate ? Math.round(rate) : '-',
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  if (found.length === 0) throw new Error('no schedule was due: the benchmark is broken');
}
console.table(rows);
const base = rows[0]?.['tick ms'] ?? Number.NaN;
const markdown = [
  `One planning tick with ${due} schedules due (window 10 min) and more stored, on ${mongoUrl.includes('27018') ? 'FerretDB 1.24 on PostgreSQL (the test services)' : 'the server at MONGO_URL'}. Baseline: the tick with the fewest stored.`,
  '',
  table(
    ['stored', 'due', 'events planned', 'tick ms', 'tick / smallest', 'due query ms', 'peak RSS MB'],
    rows.map((r) => [
      r.stored.toLocaleString('en-US'),
      r.due,
      r.events,
      r['tick ms'],
      `${(r['tick ms'] / base).toFixed(2)}x`,
      r['query ms'],
      r['peak rss MB'],
    ]),
  ),
].join('\n');
console.log(`\n${markdown}`);
if (!args.smoke && !args['no-write']) publish('planning', rows, markdown);

await clearPlan();
await redis.quit();
await connection.dropDatabase();
await connection.close();
