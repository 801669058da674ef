/**
 * Benchmark 6 (issue 11, requirement 5): throughput at saturation of our pipeline with 1, 2 and 4
 * worker processes (and 2 dispatchers), side by side with the raw BullMQ pipeline with as many
 * bare workers, on one machine. Schedules are seeded into the database (no API), each firing every
 * second, so the load is `--rate` callbacks a second for `--seconds`; the receiver counts what
 * arrives per second from the first scheduled time to the last arrival.
 *   node bench/dist/scaleout.js [--smoke] [--workers 1,2,4] [--dispatchers 2] [--rate 2000]
 *                               [--baseline-rate 4000] [--seconds 5] [--no-write]
 */
import { startReceiver } from '@event-scheduler/testing';
import { lineChart } from './lib/chart.js';
import { type DeliveryRun, measureDelivery } from './lib/delivery-run.js';
import { startRedis } from './lib/redis-server.js';
import { benchArgs, publish, table } from './lib/report.js';
import { startBaseline } from './pipelines/baseline.js';
import { startOurs } from './pipelines/ours.js';

const argv = process.argv.slice(2);
const { smoke, write } = benchArgs(argv);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const workerCounts = option('workers', smoke ? '1,2' : '1,2,4')
  .split(',')
  .map(Number);
const dispatchers = Number(option('dispatchers', '2'));
const rate = Number(option('rate', smoke ? '50' : '2000'));
const baselineRate = Number(option('baseline-rate', smoke ? '50' : '4000'));
const seconds = Number(option('seconds', smoke ? '2' : '5'));

interface Point {
  workers: number;
  ours: DeliveryRun;
  baseline: DeliveryRun;
}
const points: Point[] = [];
const receiver = await startReceiver();
for (const workers of workerCounts) {
  const redis = await startRedis({ hz: 10 });
  const ours = await startOurs({ redisUrl: redis.url, receiverUrl: receiver.url, workers, dispatchers });
  const runOurs = await measureDelivery(ours, receiver, {
    rate,
    seconds,
    leadSeconds: 8 + Math.ceil(rate / 200),
    graceMs: 120_000,
  });
  await ours.stop();
  const baseline = await startBaseline({ redisUrl: redis.url, receiverUrl: receiver.url, workers });
  const runBase = await measureDelivery(baseline, receiver, {
    rate: baselineRate,
    seconds,
    leadSeconds: 3,
    graceMs: 120_000,
  });
  await baseline.stop();
  await redis.stop();
  points.push({ workers, ours: runOurs, baseline: runBase });
  for (const run of [runOurs, runBase])
    console.log(
      `workers=${workers} ${run.pipeline.padEnd(12)} ${run.pass ? 'PASS' : 'FAIL'} ${run.delivered}/${run.expected} dup ${run.duplicates}: ` +
        `${run.throughput.toFixed(0)} callbacks/s, CPU ${JSON.stringify(run.cpuSeconds)}`,
    );
}
await receiver.close();

const cell = (run: DeliveryRun) => (run.pass ? run.throughput.toFixed(0) : 'FAIL');
const markdown = [
  `Callbacks per second at saturation by worker processes (ours with ${dispatchers} dispatchers and one prequeuer; raw BullMQ with as many bare workers), ours loaded with ${rate}/s and raw BullMQ with ${baselineRate}/s for ${seconds} s, one machine with 2 cores shared by every process, Redis, the database and the receiver.`,
  '',
  table(
    ['worker processes', 'ours callbacks/s', 'raw BullMQ callbacks/s', 'ours / raw BullMQ'],
    points.map((p) => [
      p.workers,
      cell(p.ours),
      cell(p.baseline),
      p.ours.pass && p.baseline.pass ? (p.ours.throughput / p.baseline.throughput).toFixed(2) : '–',
    ]),
  ),
  '',
  '![scale-out](benchmarks/scaleout.svg)',
].join('\n');
console.log(`\n${markdown}`);
const chart = lineChart('Throughput by worker processes (2 cores)', { x: 'worker processes', y: 'callbacks/s' }, [
  {
    label: `ours (${dispatchers} dispatchers)`,
    points: points.filter((p) => p.ours.pass).map((p) => [p.workers, p.ours.throughput]),
  },
  { label: 'raw BullMQ', points: points.filter((p) => p.baseline.pass).map((p) => [p.workers, p.baseline.throughput]) },
]);
if (write) publish('scaleout', points, markdown, { 'docs/benchmarks/scaleout.svg': chart });
if (points.some((p) => !p.ours.pass || !p.baseline.pass)) process.exitCode = 1;
