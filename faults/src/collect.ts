import type { Api } from './api/client.js';
import type { Ledger } from './api/ledger.js';
import { type Arrival, expectedOccurrences, type FinalEvent } from './checker/index.js';
import { sleep } from './stack/process.js';

interface EventBody {
  id: string;
  schedule_id: string;
  occurrence_at: string;
  kind: FinalEvent['kind'];
  status: FinalEvent['status'];
  attempts: unknown[];
}

const finalEvent = (tenant: string, e: EventBody): FinalEvent => ({
  id: e.id,
  tenant,
  scheduleId: e.schedule_id,
  occurrenceAt: Date.parse(e.occurrence_at),
  kind: e.kind,
  status: e.status,
  attempts: e.attempts.length,
});

/**
 * Every event of one schedule in one list (`pending`: not finished; `history`: finished). A slow
 * answer is asked again (a loaded machine is not a verdict) until `deadline`, then it throws.
 */
async function listAll(
  api: Api,
  tenant: string,
  id: string,
  list: 'pending' | 'history',
  deadline: number,
): Promise<FinalEvent[]> {
  const out: FinalEvent[] = [];
  for (let page = 1; ; page++) {
    const path = `/api/schedules/${id}/events/${list}?page=${page}&limit=100`;
    for (;;) {
      const timeoutMs = Math.min(60_000, Math.max(1000, deadline - Date.now()));
      const answer = await api.call<{ events: EventBody[]; total: number }>('GET', path, { tenant, timeoutMs });
      if (answer.status === 200) {
        out.push(...answer.body.events.map((e) => finalEvent(tenant, e)));
        if (answer.body.events.length < 100 || page * 100 >= answer.body.total) return out;
        break;
      }
      if (Date.now() >= deadline)
        throw new Error(`listing ${list} events of ${id}: no answer in time (${answer.status || answer.error})`);
      await sleep(2000);
    }
  }
}

/**
 * The final database state, read through the API only: every event of every acknowledged live
 * schedule, and every event the receiver's log names, looked up by id with each tenant's key
 * (the one that finds it owns it; none: unknown).
 */
export async function collectEvents(
  api: Api,
  ledger: Ledger,
  arrivals: readonly Arrival[],
  {
    stuck = [],
    deadline,
  }: {
    /** Events still unfinished before the harness paused everything: the pause's own cancellation is not their fate. */
    stuck?: readonly FinalEvent[];
    /** The API must have answered everything by then (it throws otherwise). */
    deadline: number;
  },
): Promise<FinalEvent[]> {
  const events = new Map<string, FinalEvent>();
  const before = new Map(stuck.map((e) => [e.id, e]));
  for (const schedule of ledger.live())
    for (const list of ['pending', 'history'] as const)
      for (const e of await listAll(api, schedule.tenant, schedule.id, list, deadline)) events.set(e.id, e);
  const named = new Map(arrivals.map((a) => [a.webhookId, a.tenant]));
  for (const [id, pathTenant] of named) {
    if (events.has(id) || !/^[0-9a-f]{24}$/i.test(id)) continue;
    const tenants = [...new Set([pathTenant, ...api.tenants()].filter((t): t is string => t !== null))];
    for (const tenant of tenants) {
      const answer = await api.call<EventBody>('GET', `/api/events/${id}`, { tenant });
      if (answer.status === 200) {
        events.set(id, finalEvent(tenant, answer.body));
        break;
      }
    }
  }
  return [...events.values()].map((e) => {
    const was = before.get(e.id);
    return was && e.status === 'cancelled' ? { ...e, status: was.status } : e;
  });
}

/** Events not finished yet whose occurrence is due by `until` (later ones are not judged); null when unreadable. */
export async function pendingEvents(
  api: Api,
  ledger: Ledger,
  until: number,
  deadline: number,
): Promise<FinalEvent[] | null> {
  const out: FinalEvent[] = [];
  for (const schedule of ledger.live()) {
    const pending = await listAll(api, schedule.tenant, schedule.id, 'pending', deadline).catch(() => null);
    if (!pending) return null;
    out.push(...pending.filter((e) => e.occurrenceAt <= until));
  }
  return out;
}

async function pendingBy(api: Api, ledger: Ledger, until: number, deadline: number): Promise<number> {
  return (await pendingEvents(api, ledger, until, deadline))?.length ?? Number.POSITIVE_INFINITY;
}

/** Required occurrences of `deliver` schedules that have no 2xx in the log yet. */
function undelivered(ledger: Ledger, arrivals: readonly Arrival[], until: number, changeGraceMs: number): number {
  const done = new Set(arrivals.filter((a) => a.success).map((a) => `${a.scheduleId}@${a.scheduledAt}`));
  let missing = 0;
  for (const schedule of ledger.all()) {
    if (schedule.intent !== 'deliver') continue;
    for (const o of expectedOccurrences(schedule, until, changeGraceMs))
      if (o.required && !done.has(`${o.scheduleId}@${o.at}`)) missing += 1;
  }
  return missing;
}

/**
 * Waits until everything due by `until` has settled: every required occurrence of a `deliver`
 * schedule has a 2xx in the log and nothing due by then is pending in the database; or the log
 * has not grown for `stableMs` and nothing due is pending (what is missing will not come); or
 * `deadline`. The database is asked only when the log says it may be done (its reads are not
 * free on FerretDB).
 */
export async function drain(
  { api, ledger, arrivals }: { api: Api; ledger: Ledger; arrivals: readonly Arrival[] },
  {
    until,
    deadline,
    changeGraceMs,
    stableMs = 30_000,
  }: { until: number; deadline: number; changeGraceMs: number; stableMs?: number },
): Promise<'settled' | 'stuck' | 'deadline'> {
  // Schedules keep firing after `until` (they are paused after the drain): only arrivals of
  // occurrences due by then say whether anything is still moving.
  const observed = () => arrivals.filter((a) => (a.scheduledAt ?? 0) <= until).length;
  let seen = observed();
  let since = Date.now();
  while (Date.now() < deadline) {
    const missing = undelivered(ledger, arrivals, until, changeGraceMs);
    if (observed() !== seen) {
      seen = observed();
      since = Date.now();
    }
    const quiet = Date.now() - since > stableMs;
    if ((missing === 0 || quiet) && (await pendingBy(api, ledger, until, deadline)) === 0)
      return missing === 0 ? 'settled' : 'stuck';
    await sleep(3000);
  }
  return 'deadline';
}
