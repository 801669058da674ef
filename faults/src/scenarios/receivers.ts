import type { Scenario } from '../scenario.js';
import { sleep } from '../stack/process.js';
import { GOALS, metric, ms, only } from './helpers.js';

export const receiverErrors: Scenario = {
  name: 'receiver-500',
  estimateS: (d) => Math.max(d.runS, d.receiverFailS + 30) + 40,
  fault: 'receiver 500 for 30 s',
  proves:
    'A receiver failing every call for a while loses nothing: retries back off with jitter and deliver everything within 10 s of it answering again.',
  goal: GOALS.receiver,
  async run(ctx) {
    const failS = ctx.settings.durations.receiverFailS;
    const load = await ctx.load({ runS: Math.max(ctx.settings.durations.runS, failS + 30) });
    await ctx.until(load.firstDue + 10_000);
    let failing = true;
    ctx.receiver.behave(() => ({ kind: 'status', status: failing ? 500 : 200 }));
    await ctx.fault(`receiver 500 for ${failS} s`, async () => {
      await sleep(failS * 1000);
      failing = false;
    });
  },
};

export const receiverHangs: Scenario = {
  name: 'receiver-hangs',
  estimateS: (d) => Math.max(d.runS, d.receiverHangS + 30) + 40,
  fault: 'receiver hangs (never answers)',
  proves:
    'A receiver that never answers costs each attempt its timeout, no more: the worker gives up on time, retries, and delivers everything once the receiver answers again.',
  goal: GOALS.receiver,
  async run(ctx) {
    const hangS = ctx.settings.durations.receiverHangS;
    const timeoutMs = 2000;
    const load = await ctx.load({
      runS: Math.max(ctx.settings.durations.runS, hangS + 30),
      extra: { timeout_ms: timeoutMs },
    });
    await ctx.until(load.firstDue + 10_000);
    let hanging = true;
    ctx.receiver.behave(() => (hanging ? { kind: 'hang' } : { kind: 'status', status: 200 }));
    await ctx.fault(`receiver hangs for ${hangS} s`, async () => {
      await sleep(hangS * 1000);
      hanging = false;
    });
    await sleep(timeoutMs + 3000);
    const hung = ctx.receiver.log.filter((a) => a.reply === 'hang');
    const held = hung.map((a) => (a.closedByClientAt ?? Date.now()) - a.arrivedAt);
    const tooLong = held.filter((h) => h > timeoutMs + 2000);
    ctx.check(
      'the worker gives up on a hung call at its timeout',
      hung.length > 0 && tooLong.length === 0,
      `${hung.length} hung calls; longest held ${ms(Math.max(0, ...held))} (timeout ${timeoutMs} ms)`,
    );
  },
};

export const dripAndBloat: Scenario = {
  name: 'drip-and-bloat',
  fault: 'slow-drip and 100 MB responses',
  proves:
    'A receiver that drips its answer or sends 100 MB costs an attempt its timeout or 64 KiB, not the worker’s memory, and other callbacks stay on time.',
  async run(ctx) {
    const failing = {
      intent: 'fail' as const,
      count: 2,
      everyS: () => 5,
      extra: { timeout_ms: 2000, retry_policy: { max_attempts: 2, min_backoff_ms: 1000, max_backoff_ms: 1000 } },
    };
    ctx.receiver.behave((r) => {
      if (r.lane === 'drip') return { kind: 'drip', everyMs: 200 };
      if (r.lane === 'bloat') return { kind: 'bloat', bytes: 100 * 1024 * 1024 };
      return { kind: 'status', status: 200 };
    });
    const load = await ctx.load();
    await ctx.load({ ...failing, lane: 'drip' });
    await ctx.load({ ...failing, lane: 'bloat' });
    const worker = only(ctx.stack.role('worker'), 'worker');
    let peak = 0;
    while (Date.now() < load.lastDue) {
      peak = Math.max(peak, (await metric(worker.port, 'process_resident_memory_bytes')) ?? 0);
      await sleep(1000);
    }
    const limit = 300 * 1024 * 1024;
    ctx.check(
      'the worker’s memory stays bounded',
      peak > 0 && peak < limit,
      `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
    const slow = ctx.receiver.log.filter((a) => a.lane === 'drip' || a.lane === 'bloat');
    const held = slow.map((a) => (a.closedByClientAt ?? Date.now()) - a.arrivedAt);
    ctx.check(
      'the worker drops a dripping or bloated answer within its timeout',
      slow.length > 0 && held.every((h) => h <= 4000),
      `${slow.length} such calls; longest held ${ms(Math.max(0, ...held))}`,
    );
    ctx.requireOnTime('a');
  },
};

export const noisyNeighbour: Scenario = {
  name: 'noisy-neighbour',
  estimateS: (d) => d.neighbourFailS + 60,
  fault: 'one tenant’s receiver fails every call for 2 min',
  proves: 'One tenant whose receiver fails every call (and whose retries pile up) does not make another tenant late.',
  async run(ctx) {
    const failS = ctx.settings.durations.neighbourFailS;
    ctx.receiver.behave((r) => ({ kind: 'status', status: r.tenant === 'a' ? 500 : 200 }));
    const noisy = ctx.load({
      tenant: 'a',
      lane: 'noisy',
      runS: failS,
      everyS: () => 1,
      intent: 'deliver_or_fail',
      extra: { retry_policy: { max_attempts: 4, min_backoff_ms: 1000, max_backoff_ms: 5000 } },
    });
    const quiet = ctx.load({
      tenant: 'b',
      runS: failS,
      count: Math.max(2, ctx.settings.schedules / 2),
      everyS: () => 1,
    });
    const load = await quiet;
    await noisy;
    await ctx.until(load.lastDue);
    ctx.requireOnTime('b');
  },
};

export const goneAndRetryAfter: Scenario = {
  name: 'gone-and-retry-after',
  fault: '410, and 429 with Retry-After',
  proves:
    'A 410 fails the occurrence at once (one attempt, recorded failed); a 429 with Retry-After: 3 is retried no sooner than 3 s later, then delivered.',
  async run(ctx) {
    const retryAfterS = 3;
    ctx.receiver.behave((r) => {
      if (r.lane === 'gone') return { kind: 'status', status: 410 };
      if (r.lane === 'slow-down' && r.seenBefore === 0)
        return { kind: 'status', status: 429, headers: { 'retry-after': String(retryAfterS) } };
      return { kind: 'status', status: 200 };
    });
    const few = { count: 3, everyS: () => 2 };
    const gone = ctx.load({ ...few, lane: 'gone', intent: 'fail' });
    const slowed = ctx.load({ ...few, lane: 'slow-down' });
    const load = await ctx.load({ count: 4 });
    await Promise.all([gone, slowed]);
    await ctx.until(load.lastDue + (retryAfterS + 5) * 1000);
    const byId = new Map<string, number[]>();
    for (const a of ctx.receiver.log) byId.set(a.webhookId, [...(byId.get(a.webhookId) ?? []), a.arrivedAt]);
    const goneIds = new Set(ctx.receiver.log.filter((a) => a.lane === 'gone').map((a) => a.webhookId));
    const retried = [...goneIds].filter((id) => (byId.get(id)?.length ?? 0) > 1);
    ctx.check(
      'a 410 is not retried',
      goneIds.size > 0 && retried.length === 0,
      `${goneIds.size} refused, ${retried.length} retried`,
    );
    const slowIds = new Set(ctx.receiver.log.filter((a) => a.lane === 'slow-down').map((a) => a.webhookId));
    const gaps = [...slowIds].map((id) => {
      const [first, second] = byId.get(id) ?? [];
      return first !== undefined && second !== undefined ? second - first : null;
    });
    const early = gaps.filter((g) => g !== null && g < retryAfterS * 1000 - 100);
    ctx.check(
      `a 429 with Retry-After: ${retryAfterS} is retried no sooner`,
      slowIds.size > 0 && early.length === 0,
      `${slowIds.size} asked to wait; shortest wait ${ms(Math.min(...gaps.filter((g) => g !== null)))}; ${early.length} too early`,
    );
  },
};
