import type { Goal, ScenarioContext } from '../scenario.js';
import type { Service } from '../stack/services.js';

/** The issue's recovery goals, as pass criteria. */
export const GOALS = {
  process: { recoveryMs: 10_000, what: 'work held by a dead process resumes within 10 s' },
  redis: { recoveryMs: 15_000, what: 'plan rebuilt and caught up within 15 s of Redis being back' },
  database: {
    recoveryMs: 15_000,
    what: 'caught up within 15 s of the database being back (the suite’s bound for "recovery in seconds")',
  },
  receiver: {
    recoveryMs: 10_000,
    what: 'retries catch up within 10 s of the receiver answering again (max backoff 5 s)',
  },
} satisfies Record<string, Goal>;

export function only<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (!item) throw new Error(`the stack has no ${what}`);
  return item;
}

/** SIGKILLs a service, waits for it to die, starts it again and waits until it is ready. */
export async function killAndRestart(ctx: ScenarioContext, service: Service, downMs = 0): Promise<void> {
  service.proc.signal('SIGKILL');
  await service.proc.exited();
  ctx.log(`${service.name} killed (SIGKILL)${downMs ? `, down for ${downMs / 1000} s` : ''}`);
  await ctx.until(Date.now() + downMs);
  await service.restart();
  ctx.log(`${service.name} back`);
}

/** One value of a service's /metrics (the first line starting with `name`), or null. */
export async function metric(port: number, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').at(-1)) : null;
  } catch {
    return null;
  }
}

/** A point of the run: `fraction` of the way through a load that fires for `runS` seconds from `firstDue`. */
export const into = (firstDue: number, runS: number, fraction: number) => firstDue + fraction * runS * 1000;

export const ms = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} ms`);
