/**
 * Benchmark 1 (and the baseline of 2): firing lateness. For each Redis `hz` and each rate, runs
 * our pipeline and the raw BullMQ baseline alternately (A/B/A/B) and reports lateness percentiles
 * at a loopback receiver, misses, duplicates, CPU and event-loop delay.
 *   node bench/dist/lateness.js [--smoke] [--rates 100,1000,5000] [--seconds 30] [--repeats 1]
 *                               [--hz 10,100] [--ours-max-rate 1000] [--only ours|baseline] [--no-write]
 * A pipeline that fails a run (misses) is restarted with empty queues and database before the
 * next, so its backlog cannot leak into later runs. Ours is not run above `--ours-max-rate`: far
 * beyond its capacity on this machine's database (see the throughput benchmark), such a run only
 * measures a queue growing, and takes minutes to fail.
 */
import { startReceiver } from '@event-scheduler/testing';
import { percentileChart } from './lib/chart.js';
import { type DeliveryRun, measureDelivery, type Pipeline } from './lib/delivery-run.js';
import { startRedis } from './lib/redis-server.js';
import { benchArgs, medianRange, publish, table } from './lib/report.js';
import { startBaseline } from './pipelines/baseline.js';
import { startOurs } from './pipelines/ours.js';

const argv = process.argv.slice(2);
const { smoke, write } = benchArgs(argv);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const rates = option('rates', smoke ? '20' : '100,1000,5000')
  .split(',')
  .map(Number);
const seconds = Number(option('seconds', smoke ? '3' : '30'));
const repeats = Number(option('repeats', '1'));
const oursMaxRate = Number(option('ours-max-rate', '1000'));
const hzs = option('hz', smoke ? '10' : '10,100')
  .split(',')
  .map(Number);
const only = option('only', '');

interface Cell {
  hz: number;
  rate: number;
  runs: DeliveryRun[];
}
const cells: Cell[] = [];
const receiver = await startReceiver();

for (const hz of hzs) {
  const redis = await startRedis({ hz });
  console.log(`redis ${redis.version} on port ${redis.port}, hz ${hz}`);
  type Running = Pipeline & { stop(): Promise<void> };
  const starters: Record<string, () => Promise<Running>> = {};
  if (only !== 'baseline') starters.ours = () => startOurs({ redisUrl: redis.url, receiverUrl: receiver.url, smoke });
  if (only !== 'ours') starters['raw BullMQ'] = () => startBaseline({ redisUrl: redis.url, receiverUrl: receiver.url });
  const pipelines = new Map<string, Running>();
  for (const [name, start] of Object.entries(starters)) pipelines.set(name, await start());
  for (const rate of rates) {
    const cell: Cell = { hz, rate, runs: [] };
    cells.push(cell);
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const [name, pipeline] of pipelines) {
        if (name === 'ours' && rate > oursMaxRate) continue;
        const run = await measureDelivery(pipeline, receiver, { rate, seconds, leadSeconds: leadFor(pipeline, rate) });
        cell.runs.push(run);
        const l = run.lateness;
        console.log(
          `hz=${hz} rate=${rate}/s ${pipeline.name.padEnd(12)} ${run.pass ? 'PASS' : 'FAIL'} delivered ${run.delivered}/${run.expected} dup ${run.duplicates}` +
            ` p50 ${l.p50.toFixed(1)} p99 ${l.p99.toFixed(1)} p99.9 ${l.p999.toFixed(1)} max ${l.max.toFixed(1)} ms` +
            ` send p50/p99 ≤ ${run.sendLatenessMs ? `${run.sendLatenessMs.p50}/${run.sendLatenessMs.p99}` : '–'} ms` +
            ` cpu-ms/occ ${cpuMsPerOccurrence(run).toFixed(3)}` +
            ` db round trips/occ ${run.dbCommandsPerOccurrence?.toFixed(3) ?? '–'} statements/occ ${run.dbStatementsPerOccurrence?.toFixed(3) ?? '–'} ${JSON.stringify(run.dbCommandsBreakdown ?? {})}` +
            ` cpu ${JSON.stringify(roundAll(run.cpuSeconds))} loop-p99 ${JSON.stringify(roundAll(run.eventLoopP99Ms))}`,
        );
        if (!run.pass) {
          await pipeline.stop();
          pipelines.set(name, await (starters[name] as () => Promise<Running>)());
        }
      }
    }
  }
  for (const pipeline of pipelines.values()) await pipeline.stop();
  await redis.stop();
}
await receiver.close();

/** Our pipeline needs time to plan before the first occurrence; the baseline is fed 2 s ahead. */
function leadFor(pipeline: Pipeline, rate: number): number {
  return pipeline.name === 'ours' ? 8 + Math.ceil(rate / 50) : 3;
}

/** CPU of every process of a pipeline per occurrence delivered, in ms. */
function cpuMsPerOccurrence(run: DeliveryRun): number {
  const total = Object.values(run.cpuSeconds).reduce((a, b) => a + b, 0);
  return (total * 1000) / Math.max(1, run.delivered);
}

function roundAll(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Math.round(v * 100) / 100]));
}

/** Database round trips per occurrence (counted after the backlog drained, so shown even for a FAIL). */
function dbOps(runs: DeliveryRun[]): string {
  const counts = runs.map((r) => r.dbCommandsPerOccurrence).filter((n): n is number => n !== null);
  return counts.length === 0 ? '–' : medianRange(counts, 2).text;
}

const rows = cells.map(({ hz, rate, runs }) => {
  const of = (name: string) => runs.filter((r) => r.pipeline === name);
  const ours = of('ours');
  const base = of('raw BullMQ');
  const fmt = (rs: DeliveryRun[], pick: (r: DeliveryRun) => number) =>
    rs.length === 0 ? '–' : rs.every((r) => r.pass) ? medianRange(rs.map(pick)).text : 'FAIL';
  const ratio =
    ours.length && base.length && ours.every((r) => r.pass) && base.every((r) => r.pass)
      ? (
          medianRange(ours.map((r) => r.lateness.p99)).median / medianRange(base.map((r) => r.lateness.p99)).median
        ).toFixed(2)
      : '–';
  return [
    hz,
    rate,
    fmt(ours, (r) => r.lateness.p50),
    fmt(ours, (r) => r.lateness.p99),
    fmt(ours, (r) => r.lateness.p999),
    fmt(ours, (r) => r.lateness.max),
    fmt(base, (r) => r.lateness.p50),
    fmt(base, (r) => r.lateness.p99),
    fmt(base, (r) => r.lateness.max),
    ratio,
    fmt(ours, (r) => r.callbacksPerCpuSecond),
    fmt(base, (r) => r.callbacksPerCpuSecond),
    fmt(ours, (r) => r.sendLatenessMs?.p99 ?? Number.NaN),
    fmt(ours, cpuMsPerOccurrence),
    fmt(base, cpuMsPerOccurrence),
    cpuRatio(ours, base),
    dbOps(ours),
    dbStatements(ours),
  ];
});

function cpuRatio(ours: DeliveryRun[], base: DeliveryRun[]): string {
  if (!ours.length || !base.length || !ours.every((r) => r.pass) || !base.every((r) => r.pass)) return '–';
  const o = medianRange(ours.map(cpuMsPerOccurrence)).median;
  const b = medianRange(base.map(cpuMsPerOccurrence)).median;
  return (o / b).toFixed(2);
}

function dbStatements(runs: DeliveryRun[]): string {
  const counts = runs.map((r) => r.dbStatementsPerOccurrence).filter((n): n is number => n !== null);
  return counts.length === 0 ? '–' : medianRange(counts, 2).text;
}
const markdown = [
  `Lateness at the receiver (arrival − scheduled time, ms), ${seconds} s per run, ${repeats} run(s) each, median (range); ours not run above ${oursMaxRate}/s (–); a cell reads FAIL when occurrences were missed within 20 s after the run. Send p99: due instant to request written, read off the worker's histogram (a bucket bound). CPU: every process of the pipeline (ours: prequeuer, dispatcher, worker; base: its worker), per occurrence delivered. Statements: documents inserted, updates, deletes and reads.`,
  '',
  table(
    [
      'hz',
      'rate/s',
      'ours p50',
      'ours p99',
      'ours p99.9',
      'ours max',
      'base p50',
      'base p99',
      'base max',
      'p99 ours/base',
      'ours cb/CPU-s',
      'base cb/CPU-s',
      'ours send p99 (≤, ms)',
      'ours CPU ms/occ.',
      'base CPU ms/occ.',
      'CPU ours/base',
      'ours DB round trips/occ.',
      'ours DB statements/occ.',
    ],
    rows,
  ),
  '',
  '![lateness distribution](benchmarks/lateness.svg)',
].join('\n');
console.log(`\n${markdown}`);
const chart = percentileChart(
  'Lateness by percentile (ms, log scale)',
  cells.flatMap(({ hz, rate, runs }) =>
    ['ours', 'raw BullMQ']
      .map((name) => runs.find((r) => r.pipeline === name && r.pass))
      .filter((r): r is DeliveryRun => r !== undefined)
      .map((r) => ({ label: `${r.pipeline} ${rate}/s hz${hz}`, points: r.lateness.curve })),
  ),
);
if (write) publish('lateness', cells, markdown, { 'docs/benchmarks/lateness.svg': chart });
if (cells.some((c) => c.runs.some((r) => !r.pass))) process.exitCode = 1;
