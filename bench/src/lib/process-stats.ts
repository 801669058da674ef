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

/** The data commands a service has sent to the database so far (its `db_commands_total`), by name. */
export async function scrapeDataCommands(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^db_commands_total\{[^}]*command="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    const command = match?.[1] ?? '';
    if (DATA_COMMANDS.has(command)) counts[command] = (counts[command] ?? 0) + Number(match?.[2]);
  }
  return counts;
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
