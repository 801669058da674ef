import type { Scenario } from '../scenario.js';
import { type Exit, sleep } from '../stack/process.js';
import { GOALS, into, killAndRestart, ms, only } from './helpers.js';

export const workerSigkill: Scenario = {
  name: 'worker-sigkill',
  estimateS: (d) => d.runS + 60,
  fault: 'worker SIGKILL ×2',
  proves:
    'A worker killed in the middle of callbacks loses none: what it held is sent again, with the same webhook-id and the next attempt number, within 10 s.',
  goal: GOALS.process,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    // Replies take half a second, so the worker always holds callbacks when it dies.
    ctx.receiver.behave(() => ({ kind: 'status', status: 200, delayMs: 500 }));
    for (const fraction of [0.2, 0.55]) {
      await ctx.until(into(load.firstDue, runS, fraction));
      // Kill it while it waits for answers (at a whole second it may hold nothing yet).
      const deadline = Date.now() + 5000;
      while (ctx.receiver.open() < 2 && Date.now() < deadline) await sleep(10);
      ctx.log(`${ctx.receiver.open()} callbacks in flight`);
      await ctx.fault('worker SIGKILL', () => killAndRestart(ctx, only(ctx.stack.role('worker'), 'worker')));
    }
  },
};

export const dispatcherSigkill: Scenario = {
  name: 'dispatcher-sigkill',
  estimateS: (d) => d.runS + 60,
  fault: 'dispatcher SIGKILL ×2',
  proves:
    'A dispatcher killed while it holds due occurrences on its timers loses none, and another run releases them within 10 s.',
  goal: GOALS.process,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    for (const fraction of [0.2, 0.55]) {
      await ctx.until(into(load.firstDue, runS, fraction));
      await ctx.fault('dispatcher SIGKILL', () =>
        killAndRestart(ctx, only(ctx.stack.role('dispatcher'), 'dispatcher')),
      );
    }
  },
};

export const prequeuerDown: Scenario = {
  name: 'prequeuer-down',
  estimateS: (d) => Math.max(d.runS, d.prequeuerDownS + 30) + 60,
  fault: 'prequeuer SIGKILL, down 75 s',
  proves:
    'With the planner down for longer than its planning window, nothing is lost: it plans the missed occurrences as soon as it is back (misfire fire_all) and catches up within 10 s.',
  goal: GOALS.process,
  async run(ctx) {
    const downS = ctx.settings.durations.prequeuerDownS;
    const runS = Math.max(ctx.settings.durations.runS, downS + 30);
    const load = await ctx.load({ runS });
    await ctx.until(load.firstDue + 5000);
    await ctx.fault(`prequeuer down ${downS} s`, () =>
      killAndRestart(ctx, only(ctx.stack.role('prequeuer'), 'prequeuer'), downS * 1000),
    );
  },
};

export const sigtermEverything: Scenario = {
  name: 'sigterm-all',
  fault: 'SIGTERM everything with deliveries in flight',
  proves:
    'A graceful stop of every service finishes the callbacks in flight (each recorded succeeded, none sent twice), every process exits 0 within its shutdown deadline, and after the restart everything missed meanwhile is delivered.',
  goal: GOALS.process,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    await ctx.until(into(load.firstDue, runS, 0.3));
    // Every reply now takes 3 s: deliveries are in flight when the signal comes.
    ctx.receiver.behave(() => ({ kind: 'status', status: 200, delayMs: 3000 }));
    const deadline = Date.now() + 10_000;
    while (ctx.receiver.open() < 3 && Date.now() < deadline) await sleep(50);
    const inFlight = ctx.receiver.log.filter((a) => !a.success && a.closedByClientAt === null);
    ctx.log(`${inFlight.length} callbacks in flight; SIGTERM to every service`);
    const limitMs = Number(ctx.stack.env.SHUTDOWN_TIMEOUT_SECONDS ?? 25) * 1000;
    await ctx.fault('SIGTERM everything', async () => {
      const signalled = Date.now();
      const exits: [string, Exit][] = await Promise.all(
        ctx.stack.services.map(async (s) => {
          s.proc.signal('SIGTERM');
          return [s.name, await s.proc.exited()] as [string, Exit];
        }),
      );
      ctx.receiver.behave(() => ({ kind: 'status', status: 200 }));
      const bad = exits.filter(([, e]) => e.code !== 0);
      const slow = exits.filter(([, e]) => e.at - signalled > limitMs);
      ctx.check(
        'every service exits 0 within its shutdown deadline',
        bad.length === 0 && slow.length === 0,
        exits.map(([name, e]) => `${name}: ${e.code ?? e.signal} in ${ms(e.at - signalled)}`).join(', '),
      );
      ctx.note(
        `exits: ${exits.map(([name, e]) => `${name} ${e.code ?? e.signal} after ${ms(e.at - signalled)}`).join(', ')}`,
      );
      await sleep(5000);
      const api = only(ctx.stack.role('api'), 'api');
      await api.restart();
      await Promise.all(ctx.stack.services.filter((s) => s !== api).map((s) => s.restart()));
    });
    const unfinished = inFlight.filter((a) => !a.success);
    ctx.check(
      'the callbacks in flight at SIGTERM were answered before the worker exited',
      inFlight.length > 0 && unfinished.length === 0,
      `${inFlight.length} in flight, ${unfinished.length} cut off`,
    );
  },
};

export const twoOfEach: Scenario = {
  name: 'two-of-each',
  fault: 'two of every service',
  proves:
    'Two of every service share the work without a single duplicate or loss and stay on time: planning, dispatch and delivery are safe to scale out.',
  stack: { counts: { api: 2, prequeuer: 2, dispatcher: 2, worker: 2 } },
  async run(ctx) {
    await ctx.load();
    ctx.requireOnTime();
  },
};
