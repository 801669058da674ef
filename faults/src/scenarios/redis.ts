import type { Scenario, ScenarioContext } from '../scenario.js';
import { GOALS, into } from './helpers.js';

export const redisFlushall: Scenario = {
  name: 'redis-flushall',
  fault: 'Redis FLUSHALL ×2',
  proves:
    'Wiping Redis loses nothing: the loss is noticed within seconds and the plan rebuilt from the database, caught up within 15 s (twice, so a wipe that happens to land just before a periodic check does not hide a slow one).',
  goal: GOALS.redis,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    for (const fraction of [0.2, 0.6]) {
      await ctx.until(into(load.firstDue, runS, fraction));
      await ctx.fault('Redis FLUSHALL', async () => {
        const reply = await ctx.stack.redis.command('FLUSHALL');
        if (reply !== '+OK') throw new Error(`FLUSHALL answered ${reply}`);
      });
    }
  },
};

/**
 * An outage of `redis.down_s` seconds, 15 s into a load long enough to see the catch-up after
 * it: `breakIt` takes Redis away, `mendIt` brings it back once the outage has lasted.
 */
function redisOutage(
  label: string,
  breakIt: (ctx: ScenarioContext) => Promise<void>,
  mendIt: (ctx: ScenarioContext) => Promise<void>,
): Pick<Scenario, 'estimateS' | 'run'> {
  return {
    estimateS: (d) => Math.max(d.runS, d.redisDownS + 40) + 60,
    async run(ctx) {
      const downS = ctx.settings.durations.redisDownS;
      const load = await ctx.load({ runS: Math.max(ctx.settings.durations.runS, downS + 40) });
      await ctx.until(load.firstDue + 15_000);
      await ctx.fault(`${label} ${downS} s`, async () => {
        await breakIt(ctx);
        await ctx.until(Date.now() + downS * 1000);
        await mendIt(ctx);
      });
    },
  };
}

export const redisDown: Scenario = {
  name: 'redis-down',
  fault: 'Redis down 20 s (restarted empty)',
  proves:
    'Redis dying and coming back empty (no persistence) loses nothing, no service crashes, and the plan is rebuilt and caught up within 15 s of Redis being back.',
  goal: GOALS.redis,
  ...redisOutage(
    'Redis down',
    async (ctx) => {
      ctx.stack.redis.proc.signal('SIGKILL');
      await ctx.stack.redis.proc.exited();
    },
    (ctx) => ctx.stack.redis.restart(),
  ),
};

export const redisFreeze: Scenario = {
  name: 'redis-freeze',
  fault: 'Redis frozen 20 s (SIGSTOP, then SIGCONT)',
  proves:
    'A Redis that stops answering without closing its connections (SIGSTOP) loses nothing and crashes nothing, and deliveries are caught up within 15 s of it answering again.',
  goal: GOALS.redis,
  ...redisOutage(
    'Redis frozen',
    async (ctx) => ctx.stack.redis.proc.signal('SIGSTOP'),
    async (ctx) => {
      ctx.stack.redis.proc.signal('SIGCONT');
      await ctx.stack.redis.ready();
    },
  ),
};

export const redisAofKill: Scenario = {
  name: 'redis-aof-kill',
  fault: 'Redis with AOF: SIGKILL and restart',
  proves:
    'With AOF (fsync always), a Redis SIGKILL and restart keeps the plan: the delayed jobs survive and deliveries are back on time within 15 s.',
  goal: GOALS.redis,
  stack: { aof: true },
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    await ctx.until(into(load.firstDue, runS, 0.3));
    await ctx.fault('Redis SIGKILL (AOF) and restart', async () => {
      ctx.stack.redis.proc.signal('SIGKILL');
      await ctx.stack.redis.proc.exited();
      await ctx.stack.redis.restart();
    });
  },
};

export const flushallDuringRetries: Scenario = {
  name: 'flushall-during-retries',
  estimateS: (d) => d.runS + 90,
  fault: 'Redis FLUSHALL while occurrences wait for a retry',
  defect: 1,
  proves:
    'Occurrences waiting for a retry when Redis loses its data are re-planned too, and delivered once the receiver answers again (defect 1: they stayed retry_scheduled forever).',
  goal: GOALS.redis,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    // Every first attempt fails and the retry waits 8 s: at any moment dozens of occurrences are
    // retry_scheduled, their only job a delayed one in Redis.
    let failing = true;
    ctx.receiver.behave((r) =>
      failing && r.seenBefore === 0 ? { kind: 'status', status: 500 } : { kind: 'status', status: 200 },
    );
    const load = await ctx.load({
      extra: { retry_policy: { max_attempts: 10, min_backoff_ms: 8000, max_backoff_ms: 8000 } },
    });
    await ctx.until(into(load.firstDue, runS, 0.3));
    await ctx.fault('Redis FLUSHALL with retries waiting', async () => {
      const reply = await ctx.stack.redis.command('FLUSHALL');
      if (reply !== '+OK') throw new Error(`FLUSHALL answered ${reply}`);
      failing = false;
    });
  },
};
