import { fork } from 'node:child_process';
import os from 'node:os';
import { killOnExit } from '@event-scheduler/testing';
import type { CallbackRequest } from '@event-scheduler/worker/send';
import { describeMachine } from './lib/report.js';
import { type BenchClient, gotClient, httpClient, ourClient, undiciClient } from './lib/sender-clients.js';

/**
 * The worker's hot-path HTTP sender against the libraries it could be built on, over loopback to a
 * receiver in another process (whose CPU is not counted). Per client, interleaved over rounds:
 * - paced: 10,000 requests due at 1,000/s, each fired by its own timer as the worker's will be,
 *   the lead-ahead work (only ours has any) done in 100 ms batches 1 s ahead: client CPU (user and
 *   system) per request, and send lateness (due instant -> request handed to the socket);
 * - burst: 1,000 requests due at the same instant to one receiver (and to 1,000 origins), every
 *   connection warm and every request prepared beforehand: ms from the instant until the last
 *   request was handed to its socket, and client CPU per request until every answer is in.
 *
 * `node bench/dist/sender.js [--smoke] [--rounds N]` after `pnpm --filter @event-scheduler/bench... build`.
 */

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (smoke ? 1 : 3);
const PACED = smoke ? 500 : 10_000;
const RATE = 1000;
const LEAD_MS = 1000;
const BATCH_MS = 100;
const BURST = smoke ? 100 : 1000;
const now = () => performance.timeOrigin + performance.now();
const BODY = JSON.stringify({
  schedule_id: '6650c0ffee',
  event_id: 'evt_1',
  scheduled_at: new Date(0),
  pad: 'x'.repeat(180),
});
const request = (url: string): CallbackRequest => ({
  url,
  method: 'POST',
  headers: {
    'user-agent': 'event-scheduler-worker/bench',
    'content-type': 'application/json',
    'webhook-id': 'evt_1',
    'webhook-timestamp': '1700000000',
    'webhook-signature': `v1,${'a'.repeat(44)}`,
    'idempotency-key': 'evt_1',
    'x-schedule-id': '6650c0ffee',
    'x-attempt': '1',
  },
  body: BODY,
  timeoutMs: 10_000,
});

interface Cpu {
  user: number;
  system: number;
}

interface Figures {
  pacedCpu: Cpu;
  pacedLatenessP50: number;
  pacedLatenessP99: number;
  burstLastWrittenMs: number;
  burstCpu: Cpu;
  manyLastWrittenMs: number;
  manyCpu: Cpu;
  /** Requests that got no 200 (timeouts on an overloaded machine, errors): reported, never hidden. */
  failed: number;
}

const cpuPer = (since: NodeJS.CpuUsage, count: number): Cpu => {
  const used = process.cpuUsage(since);
  return { user: used.user / count, system: used.system / count };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A closed loop to warm the JIT and the connections before anything is measured. */
async function warmUp(client: BenchClient, url: string, count: number) {
  let left = count;
  const lane = async () => {
    while (left-- > 0) await client.send(await client.prepare(request(url), 1), () => undefined);
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

/** Requests due at RATE per second, each on its own timer; lead-ahead work in batches, as the worker will. */
async function paced(client: BenchClient, url: string, count: number) {
  const start = now() + LEAD_MS + 200;
  const due = (i: number) => start + (i * 1000) / RATE;
  const lateness: number[] = [];
  const sends: Promise<number | null>[] = [];
  const cpu = process.cpuUsage();
  for (let next = 0; next < count; ) {
    const batchEnd = now() + LEAD_MS + BATCH_MS;
    for (; next < count && due(next) < batchEnd; next++) {
      const at = due(next);
      const handle = await client.prepare(request(url), 1);
      sends.push(
        new Promise((resolve) => {
          setTimeout(
            () => {
              resolve(client.send(handle, (written) => lateness.push(written - at)));
            },
            Math.max(0, at - now()),
          );
        }),
      );
    }
    await sleep(BATCH_MS);
  }
  const statuses = await Promise.all(sends);
  const used = cpuPer(cpu, count);
  const failed = statuses.filter((status) => status !== 200).length;
  lateness.sort((a, b) => a - b);
  const at = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
  return { cpu: used, p50: at(0.5), p99: at(0.99), failed };
}

/** Everything prepared and warm; then all sends start in one loop, as timers due on the same ms do. */
async function burst(client: BenchClient, urls: string[]) {
  await client.warm(urls);
  const counts = new Map<string, number>();
  for (const url of urls) counts.set(url, (counts.get(url) ?? 0) + 1);
  const handles = [];
  for (const url of urls) {
    handles.push(await client.prepare(request(url), counts.get(url) ?? 1));
    counts.set(url, 1);
  }
  await sleep(50);
  let lastWritten = 0;
  const cpu = process.cpuUsage();
  const instant = now();
  const sends = handles.map((handle) =>
    client.send(handle, (at) => {
      lastWritten = Math.max(lastWritten, at);
    }),
  );
  const statuses = await Promise.all(sends);
  const used = cpuPer(cpu, urls.length);
  const failed = statuses.filter((status) => status !== 200).length;
  return { lastWrittenMs: lastWritten - instant, cpu: used, failed };
}

async function measure(client: BenchClient, port: number): Promise<Figures> {
  const url = `http://127.0.0.1:${port}/hook`;
  await warmUp(client, url, smoke ? 200 : 2000);
  const steady = await paced(client, url, PACED);
  const one = await burst(
    client,
    Array.from({ length: BURST }, () => url),
  );
  const manyUrls = Array.from(
    { length: BURST },
    (_, i) => `http://127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}:${port}/hook`,
  );
  const many = await burst(client, manyUrls);
  return {
    pacedCpu: steady.cpu,
    pacedLatenessP50: steady.p50,
    pacedLatenessP99: steady.p99,
    burstLastWrittenMs: one.lastWrittenMs,
    burstCpu: one.cpu,
    manyLastWrittenMs: many.lastWrittenMs,
    manyCpu: many.cpu,
    failed: steady.failed + one.failed + many.failed,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main() {
  const receiver = fork(new URL('./lib/sender-receiver.js', import.meta.url));
  killOnExit(receiver);
  const { port } = await new Promise<{ port: number }>((resolve) => receiver.once('message', resolve as never));
  const factories = [
    () => gotClient(request),
    () => undiciClient(request, false),
    () => undiciClient(request, true),
    () => httpClient(request),
    () => ourClient(),
  ];
  const results = new Map<string, Figures[]>();
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no client always runs first (or right after the heaviest).
    for (let i = 0; i < factories.length; i++) {
      const client = (factories[(i + round) % factories.length] as () => BenchClient)();
      const figures = await measure(client, port);
      await client.close();
      results.set(client.name, [...(results.get(client.name) ?? []), figures]);
      console.error(`round ${round + 1}: ${client.name} ${JSON.stringify(figures)}`);
    }
  }
  receiver.disconnect();
  print(results);
}

function print(results: Map<string, Figures[]>) {
  const m = describeMachine();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`\nSender micro-benchmark: ${m.cpu}, ${m.cores} cores, Node ${m.node}; medians of ${rounds} round(s)`);
  console.log(
    `paced: ${PACED} requests at ${RATE}/s; bursts: ${BURST} at one instant; load average ${load}; ` +
      'CPU = client process user+system µs per request (system in brackets)\n',
  );
  const header = [
    'client',
    'paced CPU µs/req',
    'paced send lateness p50 / p99 ms',
    `burst ${BURST}→1 origin: last write ms`,
    'CPU µs/req',
    `burst ${BURST}→${BURST} origins: last write ms`,
    'CPU µs/req',
    'failed (all rounds)',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const [name, runs] of results) {
    const pick = (get: (run: Figures) => number) => median(runs.map(get));
    const cpu = (get: (run: Figures) => Cpu) =>
      `${pick((r) => get(r).user + get(r).system).toFixed(0)} (${pick((r) => get(r).system).toFixed(0)})`;
    const cells = [
      cpu((r) => r.pacedCpu),
      `${pick((r) => r.pacedLatenessP50).toFixed(2)} / ${pick((r) => r.pacedLatenessP99).toFixed(2)}`,
      pick((r) => r.burstLastWrittenMs).toFixed(1),
      cpu((r) => r.burstCpu),
      pick((r) => r.manyLastWrittenMs).toFixed(1),
      cpu((r) => r.manyCpu),
      String(runs.reduce((sum, run) => sum + run.failed, 0)),
    ];
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

await main();
