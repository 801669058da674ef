import type { Scenario } from '../scenario.js';
import { GOALS, into, only } from './helpers.js';

export const resendAfterCrash: Scenario = {
  name: 'resend-after-crash',
  estimateS: (d) => d.runS + 60,
  fault: 'worker SIGKILL the moment callbacks arrive',
  defect: 5,
  proves:
    'A callback re-sent after the worker died mid-call carries the next x-attempt and the event records both attempts, and the held work resumes within 10 s (defect 5: the re-send said x-attempt 1 and the history showed one attempt).',
  goal: GOALS.process,
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load();
    let armed: (() => void) | null = null;
    // The receiver kills the worker as a callback arrives: the worker has sent it, and has had
    // no time to record anything after sending.
    ctx.receiver.onArrival((r) => {
      if (!armed || r.seenBefore > 0) return;
      only(ctx.stack.role('worker'), 'worker').proc.signal('SIGKILL');
      armed();
      armed = null;
    });
    for (const fraction of [0.2, 0.55]) {
      await ctx.until(into(load.firstDue, runS, fraction));
      const start = Date.now();
      await new Promise<void>((resolve) => {
        armed = resolve;
      });
      const worker = only(ctx.stack.role('worker'), 'worker');
      await worker.proc.exited();
      ctx.log('worker killed by the receiver as a callback arrived');
      await worker.restart();
      ctx.window({ name: 'worker SIGKILL mid-call', start, end: Date.now() });
    }
  },
};
