import { readFileSync } from 'node:fs';
import type { ServiceProcess } from '@event-scheduler/testing';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) a process has used so far, read from /proc (Linux only). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0], utime is [11], stime is [12].
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Reads one gauge from a Prometheus text exposition (e.g. nodejs_eventloop_lag_p99_seconds). */
export async function scrapeGauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

/** Commands that read or write data, as opposed to health checks and driver housekeeping. */
const DATA_COMMANDS = new Set(['find', 'getMore', 'insert', 'update', 'delete', 'findAndModify', 'aggregate', 'count']);

/**
 * The data commands a service has sent to the database so far (`db_commands_total`: round trips)
 * by name, and the statements in them (`db_statements_total`: documents inserted, updates,
 * deletes, reads) as `stmt.<name>`.
 */
export async function scrapeDataCommands(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^db_(commands|statements)_total\{[^}]*command="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    const command = match?.[2] ?? '';
    if (!match || !DATA_COMMANDS.has(command)) continue;
    const key = match[1] === 'statements' ? `stmt.${command}` : command;
    counts[key] = (counts[key] ?? 0) + Number(match[3]);
  }
  return counts;
}

/**
 * Percentiles read off a Prometheus histogram's buckets (`<name>_bucket{le=...}`), summed over the
 * series: the upper bound of the bucket each percentile falls in (so "≤ X").
 */
export async function scrapeHistogram(url: string, name: string): Promise<Map<number, number>> {
  const text = await (await fetch(url)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const le = match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** The bucket bound under which a fraction `q` of the observations between two scrapes fall. */
export function bucketPercentile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return Number.NaN;
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le;
  }
  return Number.POSITIVE_INFINITY;
}

/** Polls a service's /readyz until it answers 200 (logs are at `warn`, so no "started" line). */
export async function waitReady(port: number, service: ServiceProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`service exited:\n${service.lines.slice(-20).join('\n')}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service on port ${port} not ready within ${timeoutMs} ms:\n${service.lines.slice(-20).join('\n')}`);
}
