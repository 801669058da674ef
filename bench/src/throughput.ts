/**
 * Benchmark 2: sustained throughput end to end at saturation. Schedules created through the API
 * fire a burst every second for `--seconds`, more than the pipeline can deliver on time, and the
 * receiver counts callbacks per second from the first scheduled time to the last arrival. The raw
 * BullMQ pipeline gets its own saturating load (`--baseline-rate`): ours, on FerretDB, slows as
 * its backlog grows (every read scans its collection), so a load that saturates the baseline would
 * take ours far beyond the 10-minute budget without saying more. `--profile` writes a CPU profile
 * of every service of ours to bench/results/profiles/ (open it in Chrome DevTools).
 *   node bench/dist/throughput.js [--smoke] [--rate 500] [--baseline-rate 3000] [--seconds 4]
 *                                 [--repeats 2] [--profile] [--no-write]
 */
import { mkdirSync } from 'node:fs';
import { startReceiver } from '@event-scheduler/testing';
import { type DeliveryRun, measureDelivery } from './lib/delivery-run.js';
import { startRedis } from './lib/redis-server.js';
import { BENCH_ROOT, benchArgs, medianRange, publish, table } from './lib/report.js';
import { startBaseline } from './pipelines/baseline.js';
import { startOurs } from './pipelines/ours.js';

const argv = process.argv.slice(2);
const { smoke, write } = benchArgs(argv);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const rate = Number(option('rate', smoke ? '50' : '500'));
const baselineRate = Number(option('baseline-rate', smoke ? '50' : '3000'));
const seconds = Number(option('seconds', smoke ? '2' : '4'));
const repeats = Number(option('repeats', smoke ? '1' : '2'));
if (argv.includes('--profile')) {
  const dir = `${BENCH_ROOT}results/profiles`;
  mkdirSync(dir, { recursive: true });
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${dir}`;
}

const receiver = await startReceiver();
const redis = await startRedis({ hz: 10 });
const ours = await startOurs({ redisUrl: redis.url, receiverUrl: receiver.url, via: 'api' });
delete process.env.NODE_OPTIONS;
const baseline = await startBaseline({ redisUrl: redis.url, receiverUrl: receiver.url });
const runs: DeliveryRun[] = [];
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const pipeline of [ours, baseline]) {
    // Ours creates every schedule through the API first (about 100 a second here, slower as the
    // collection grows on FerretDB), so their first occurrence must lie beyond that.
    const load = pipeline === ours ? rate : baselineRate;
    const lead = pipeline === ours ? 15 + Math.ceil(rate / 40) : 3;
    const run = await measureDelivery(pipeline, receiver, { rate: load, seconds, leadSeconds: lead, graceMs: 300_000 });
    runs.push(run);
    console.log(
      `${pipeline.name.padEnd(12)} ${run.pass ? 'PASS' : 'FAIL'} ${run.delivered}/${run.expected} dup ${run.duplicates}: ${run.throughput.toFixed(0)} callbacks/s, ` +
        `${run.callbacksPerCpuSecond.toFixed(0)} per CPU-second, CPU ${JSON.stringify(run.cpuSeconds)}, ` +
        `DB round trips per occurrence ${run.dbCommandsPerOccurrence?.toFixed(2) ?? '–'}`,
    );
  }
}
await ours.stop();
await baseline.stop();
await redis.stop();
await receiver.close();

const of = (name: string) => runs.filter((r) => r.pipeline === name);
const cell = (rs: DeliveryRun[], pick: (r: DeliveryRun) => number) =>
  rs.every((r) => r.pass) ? medianRange(rs.map(pick), 0).text : 'FAIL';
const o = of('ours');
const b = of('raw BullMQ');
const ratio =
  o.every((r) => r.pass) && b.every((r) => r.pass)
    ? `${((medianRange(o.map((r) => r.throughput)).median / medianRange(b.map((r) => r.throughput)).median) * 100).toFixed(0)}%`
    : '–';
const markdown = [
  `End-to-end callbacks per second at saturation, each pipeline under a load beyond its capacity: ours ${rate} schedules (created through the API) and raw BullMQ ${baselineRate} delayed jobs a second, for ${seconds} s; ${repeats} run(s), median (range).`,
  '',
  table(
    ['pipeline', 'callbacks/s', 'callbacks per CPU-second', 'ours / baseline', 'DB round trips per occurrence'],
    [
      [
        'ours (api, prequeuer, dispatcher, worker)',
        cell(o, (r) => r.throughput),
        cell(o, (r) => r.callbacksPerCpuSecond),
        ratio,
        medianRange(
          o.map((r) => r.dbCommandsPerOccurrence ?? Number.NaN),
          2,
        ).text,
      ],
      [
        'raw BullMQ (delayed jobs → bare worker)',
        cell(b, (r) => r.throughput),
        cell(b, (r) => r.callbacksPerCpuSecond),
        '',
        '–',
      ],
    ],
  ),
].join('\n');
console.log(`\n${markdown}`);
if (write) publish('throughput', runs, markdown);
if (runs.some((r) => !r.pass)) process.exitCode = 1;
