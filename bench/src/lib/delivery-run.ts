import type { Receiver } from '@event-scheduler/testing';
import { createLatencyHistogram, type LatencySummary } from './histogram.js';
import { bucketPercentile, cpuSeconds } from './process-stats.js';

/** What one pipeline under test must provide: processes to measure, and how to schedule callbacks. */
export interface Pipeline {
  name: string;
  /** Processes whose CPU seconds and event-loop delay count for this pipeline. */
  pids(): Record<string, number>;
  /**
   * Arranges `rate` callbacks at each whole second t0, t0+1s, ... (`seconds` of them) to the
   * receiver; each request carries its scheduled time (`x-scheduled-time` ISO or `x-due` ms) and a
   * unique id (`webhook-id` or `x-id`).
   */
  schedule(options: { rate: number; seconds: number; t0: number }): Promise<void>;
  /** Event-loop delay p99 (ms) per process, read at the end of the run. */
  eventLoopP99(): Promise<Record<string, number>>;
  /**
   * Data commands its processes have sent to the database so far, by `<process>.<command>`, and
   * their statements by `<process>.stmt.<command>` (absent: it uses none).
   */
  databaseCommands?(): Promise<Record<string, number>>;
  /**
   * Its own measure of send lateness (due instant to request written), as histogram buckets in
   * seconds (absent: it has none; the receiver's arrival is all there is).
   */
  sendLateness?(): Promise<Map<number, number>>;
}

export interface DeliveryRun {
  pipeline: string;
  rate: number;
  seconds: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  early: number;
  pass: boolean;
  lateness: LatencySummary;
  /** Deliveries per second from the first scheduled time to the last arrival. */
  throughput: number;
  cpuSeconds: Record<string, number>;
  callbacksPerCpuSecond: number;
  eventLoopP99Ms: Record<string, number>;
  /** Database commands (round trips) per occurrence: planning, dispatch and delivery; null without a database. */
  dbCommandsPerOccurrence: number | null;
  /** Statements per occurrence (documents inserted, updates, deletes, reads); null without a database. */
  dbStatementsPerOccurrence: number | null;
  /** Round trips and statements (`stmt.`) per occurrence by `<process>.<command>`: where they come from. */
  dbCommandsBreakdown: Record<string, number> | null;
  /** Send lateness (due instant to request written) p50 and p99 in ms, as histogram bucket bounds (≤). */
  sendLatenessMs: { p50: number; p99: number } | null;
}

function scheduledAt(headers: Record<string, string | string[] | undefined>): number {
  const due = headers['x-due'];
  if (typeof due === 'string') return Number(due);
  const iso = headers['x-scheduled-time'];
  return typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
}

function requestId(headers: Record<string, string | string[] | undefined>): string {
  const id = headers['webhook-id'] ?? headers['x-id'];
  return typeof id === 'string' ? id : '';
}

/**
 * Runs one measurement: schedules `rate` callbacks per second for `seconds` seconds starting at a
 * whole second `leadSeconds` ahead, waits for them (or a grace period), and reports lateness at
 * the receiver, misses, duplicates, CPU and event-loop delay. A run with a miss or a duplicate
 * does not pass, whatever its figures.
 */
export async function measureDelivery(
  pipeline: Pipeline,
  receiver: Receiver,
  {
    rate,
    seconds,
    leadSeconds,
    graceMs = 20_000,
  }: { rate: number; seconds: number; leadSeconds: number; graceMs?: number },
): Promise<DeliveryRun> {
  const histogram = createLatencyHistogram();
  const seen = new Map<string, number>();
  let lastArrival = 0;
  receiver.requests.length = 0;
  receiver.respond = (request) => {
    histogram.record(request.arrivedAt - scheduledAt(request.headers));
    const id = requestId(request.headers);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    lastArrival = request.arrivedAt;
    return { status: 200, body: 'ok' };
  };
  const pids = pipeline.pids();
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const commandsBefore = await pipeline.databaseCommands?.();
  const sendBefore = await pipeline.sendLateness?.();
  const t0 = Math.ceil(Date.now() / 1000) * 1000 + leadSeconds * 1000;
  await pipeline.schedule({ rate, seconds, t0 });
  const expected = rate * seconds;
  async function summarize(): Promise<DeliveryRun> {
    const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - (cpuBefore[k] ?? 0)]));
    const totalCpu = Object.values(cpu).reduce((a, b) => a + b, 0);
    const duplicates = [...seen.values()].reduce((n, c) => n + (c - 1), 0);
    const delivered = seen.size;
    return {
      pipeline: pipeline.name,
      rate,
      seconds,
      expected,
      delivered,
      missing: expected - delivered,
      duplicates,
      early: histogram.early,
      pass: delivered === expected && duplicates === 0,
      lateness: histogram.summary(),
      throughput: delivered / Math.max(0.001, (lastArrival - t0) / 1000),
      cpuSeconds: cpu,
      callbacksPerCpuSecond: delivered / Math.max(totalCpu, 0.001),
      eventLoopP99Ms: await pipeline.eventLoopP99(),
      dbCommandsPerOccurrence: null,
      dbStatementsPerOccurrence: null,
      dbCommandsBreakdown: null,
      sendLatenessMs: null,
    };
  }

  const deadline = t0 + seconds * 1000 + graceMs;
  while (seen.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  // A little longer, so late duplicates are counted too.
  await new Promise((r) => setTimeout(r, 1000));
  const result = await summarize();
  const sendAfter = await pipeline.sendLateness?.();
  if (sendBefore && sendAfter) {
    result.sendLatenessMs = {
      p50: bucketPercentile(sendBefore, sendAfter, 0.5) * 1000,
      p99: bucketPercentile(sendBefore, sendAfter, 0.99) * 1000,
    };
  }
  // A run that failed leaves a backlog the caller must discard (restart the pipeline); its
  // database operations per occurrence would be incomplete, so none are reported.
  if (!result.pass) return result;
  // Let late duplicates settle before the next run (up to a minute), so they cannot count there.
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 60; waited++) {
    const before = receiver.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    quiet = receiver.requests.length === before ? quiet + 1 : 0;
  }
  // Counted once the backlog has drained, so every occurrence's writes are in.
  const commandsAfter = await pipeline.databaseCommands?.();
  if (commandsBefore !== undefined && commandsAfter !== undefined) {
    const perOccurrence = Object.entries(commandsAfter)
      .map(([key, n]): [string, number] => [key, (n - (commandsBefore[key] ?? 0)) / expected])
      .filter(([, n]) => n > 0);
    result.dbCommandsBreakdown = Object.fromEntries(perOccurrence.map(([k, n]) => [k, Math.round(n * 1000) / 1000]));
    const sum = (statements: boolean) =>
      perOccurrence.filter(([k]) => k.includes('.stmt.') === statements).reduce((total, [, n]) => total + n, 0);
    result.dbCommandsPerOccurrence = sum(false);
    result.dbStatementsPerOccurrence = sum(true);
  }
  return result;
}
