/**
 * Benchmark 4: the API's create-schedule and get-schedule requests per second and p99 latency
 * (autocannon), against a bare fastify route doing the same single insert / find through the
 * same driver. Runs A/B/A/B on the same database server.
 *   node bench/dist/api.js [--smoke] [--seconds 10] [--connections 10] [--repeats 2] [--no-write]
 * Needs MONGO_URL and REDIS_URL (scripts/bench.sh provides them).
 */
import { fileURLToPath } from 'node:url';
import { connectMongo } from '@event-scheduler/models';
import { freePort, spawnService } from '@event-scheduler/testing';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { startNode } from './lib/child.js';
import { waitReady } from './lib/process-stats.js';
import { benchArgs, medianRange, publish, table } from './lib/report.js';

const argv = process.argv.slice(2);
const { smoke, write } = benchArgs(argv);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const seconds = Number(option('seconds', smoke ? '2' : '10'));
const connections = Number(option('connections', '10'));
const repeats = Number(option('repeats', smoke ? '1' : '2'));
const mongoUrl = process.env.MONGO_URL;
const redisUrl = process.env.REDIS_URL;
if (!mongoUrl || !redisUrl) throw new Error('MONGO_URL and REDIS_URL must be set (run through scripts/bench.sh)');
const database = `bench_api_${Date.now()}`;
const KEY = 'bench-api-key-000000000000';
const body = JSON.stringify({
  name: 'Daily Backup',
  rrule: 'FREQ=DAILY;INTERVAL=1',
  callback_url: 'https://example.com/callback',
});

const apiPort = await freePort();
const api = spawnService('api', {
  MONGO_URL: mongoUrl,
  MONGO_DATABASE: database,
  REDIS_URL: redisUrl,
  REDIS_QUEUE_PREFIX: database,
  API_PORT: String(apiPort),
  API_DEV_API_KEY: KEY,
  API_RATE_LIMIT_PER_MINUTE: '1000000',
  LOG_LEVEL: 'warn',
});
await waitReady(apiPort, api);
const barePort = await freePort();
const bare = startNode(fileURLToPath(new URL('./bare-api.js', import.meta.url)), {
  MONGO_URL: mongoUrl,
  MONGO_DATABASE: `${database}_bare`,
  PORT: String(barePort),
});
await bare.waitForLine(/^ready$/);

interface Target {
  base: string;
  headers: Record<string, string>;
}
const targets: Record<'ours' | 'bare', Target> = {
  ours: {
    base: `http://127.0.0.1:${apiPort}/api/schedules`,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
  },
  bare: { base: `http://127.0.0.1:${barePort}/schedules`, headers: { 'content-type': 'application/json' } },
};

async function createOne(target: Target): Promise<string> {
  const response = await fetch(target.base, { method: 'POST', headers: target.headers, body });
  if (response.status !== 201) throw new Error(`create answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

interface Measure {
  rps: number;
  p99: number;
  errors: number;
}
async function cannon(url: string, method: 'GET' | 'POST', headers: Record<string, string>): Promise<Measure> {
  const result = await autocannon({
    url,
    method,
    headers,
    body: method === 'POST' ? body : undefined,
    connections,
    duration: seconds,
  });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.average, p99: result.latency.p99, errors: non2xx };
}

const runs: Record<string, Measure[]> = {};
const note = (key: string, m: Measure) => {
  runs[key] = [...(runs[key] ?? []), m];
};
// Reads cost in proportion to the collection on FerretDB v1 (no index is used), so both sides get
// the same number of stored schedules before their reads are measured.
const stores = {
  ours: await connectMongo({ uri: mongoUrl, database }),
  bare: await connectMongo({ uri: mongoUrl, database: `${database}_bare` }),
};
async function equalizeStoredSchedules(): Promise<number> {
  const collection = (name: 'ours' | 'bare') => stores[name].db?.collection('schedules');
  const counts = {
    ours: (await collection('ours')?.countDocuments()) ?? 0,
    bare: (await collection('bare')?.countDocuments()) ?? 0,
  };
  const target = Math.max(counts.ours, counts.bare);
  for (const name of ['ours', 'bare'] as const) {
    const sample = await collection(name)?.findOne({});
    for (let missing = target - counts[name]; sample && missing > 0; missing -= 5000) {
      const copies = Array.from({ length: Math.min(5000, missing) }, () => ({ ...sample, _id: new Types.ObjectId() }));
      await collection(name)?.insertMany(copies, { ordered: false });
    }
  }
  return target;
}

for (let repeat = 0; repeat < repeats; repeat++) {
  const ids: Record<string, string> = {};
  for (const [name, target] of Object.entries(targets)) {
    ids[name] = await createOne(target);
    const create = await cannon(target.base, 'POST', target.headers);
    note(`${name} create`, create);
    console.log(`${name}: create ${create.rps.toFixed(0)} req/s p99 ${create.p99} ms (${create.errors} non-2xx)`);
  }
  const stored = await equalizeStoredSchedules();
  for (const [name, target] of Object.entries(targets)) {
    const get = await cannon(`${target.base}/${ids[name]}`, 'GET', target.headers);
    note(`${name} get`, get);
    console.log(`${name}: get ${get.rps.toFixed(0)} req/s p99 ${get.p99} ms (${get.errors} non-2xx), ${stored} stored`);
  }
}
await Promise.all(Object.values(stores).map((c) => c.close()));
await api.stop('SIGTERM');
await bare.stop();

const rows = ['create', 'get'].map((op) => {
  const ours = runs[`ours ${op}`] ?? [];
  const base = runs[`bare ${op}`] ?? [];
  const failed = [...ours, ...base].some((m) => m.errors > 0);
  const o = medianRange(
    ours.map((m) => m.rps),
    0,
  );
  const b = medianRange(
    base.map((m) => m.rps),
    0,
  );
  return [
    op,
    failed ? 'FAIL (non-2xx answers)' : o.text,
    medianRange(
      ours.map((m) => m.p99),
      0,
    ).text,
    b.text,
    medianRange(
      base.map((m) => m.p99),
      0,
    ).text,
    failed ? '–' : `${((o.median / b.median) * 100).toFixed(0)}%`,
  ];
});
const markdown = [
  `API requests per second and p99 latency (ms), autocannon ${connections} connections × ${seconds} s, ${repeats} run(s) each, median (range). Baseline: a bare fastify route doing the same single insert / find through mongoose. Gets run after both sides were brought to the same number of stored schedules (on FerretDB v1 a read costs in proportion to the collection).`,
  '',
  table(['operation', 'ours req/s', 'ours p99', 'bare req/s', 'bare p99', 'ours / bare'], rows),
].join('\n');
console.log(`\n${markdown}`);
if (write) publish('api', runs, markdown);
if (rows.some((r) => String(r[1]).startsWith('FAIL'))) process.exitCode = 1;
