import type { Answer } from '../api/client.js';
import type { ScheduleBody } from '../api/ledger.js';
import { dtstart, type Scenario } from '../scenario.js';
import { sleep } from '../stack/process.js';
import { GOALS, ms } from './helpers.js';

/** How fast an outage must be reported: "the API answers 503 quickly". */
const QUICK_MS = 2000;

export const databaseDown: Scenario = {
  name: 'database-down',
  estimateS: (d) => Math.max(d.runS, d.databaseDownS + 40) + 60,
  fault: 'database down',
  proves:
    'With the database down, the API answers 503 at once and acknowledges nothing it has not stored; deliveries resume and catch up once it is back, with nothing lost.',
  goal: GOALS.database,
  async run(ctx) {
    const downS = ctx.settings.durations.databaseDownS;
    const load = await ctx.load({ runS: Math.max(ctx.settings.durations.runS, downS + 40) });
    const probes: { kind: string; answer: Answer<ScheduleBody> }[] = [];
    await ctx.until(load.firstDue + 15_000);
    await ctx.fault(`database down ${downS} s`, async () => {
      ctx.stack.database.proc.signal('SIGKILL');
      await ctx.stack.database.proc.exited();
      const back = Date.now() + downS * 1000;
      // Creates (a rule that fires next year, so an acknowledged one never delivers) and reads.
      for (let i = 0; Date.now() < back - QUICK_MS; i++) {
        const create = await ctx.ledger.create(
          'a',
          {
            name: `faults outage probe ${i}`,
            rrule: `DTSTART:${dtstart(Date.now() + 365 * 86_400_000)}\nRRULE:FREQ=YEARLY`,
            callback_url: ctx.receiver.url('a', 'probe'),
          },
          'deliver',
        );
        probes.push({ kind: 'create', answer: create });
        const read = await ctx.api.call<ScheduleBody>('GET', `/api/schedules/${load.ids[0]}`, { timeoutMs: 10_000 });
        probes.push({ kind: 'get', answer: read });
        await sleep(1000);
      }
      await ctx.until(back);
      await ctx.stack.database.restart();
    });
    const slowOrWrong = probes.filter((p) => p.answer.status !== 503 || p.answer.ackAt - p.answer.sentAt > QUICK_MS);
    ctx.check(
      `the API answers 503 within ${QUICK_MS / 1000} s while the database is down`,
      probes.length > 0 && slowOrWrong.length === 0,
      `${probes.length} probes; ${slowOrWrong.length} were not a quick 503: ${slowOrWrong
        .slice(0, 4)
        .map((p) => `${p.kind} ${p.answer.status || p.answer.error} in ${ms(p.answer.ackAt - p.answer.sentAt)}`)
        .join('; ')}`,
    );
    const acknowledged = probes.filter((p) => p.kind === 'create' && p.answer.status === 201);
    const missing: string[] = [];
    for (const p of acknowledged) {
      const read = await ctx.api.call('GET', `/api/schedules/${p.answer.body.id}`);
      if (read.status !== 200) missing.push(p.answer.body.id);
    }
    ctx.check(
      'nothing acknowledged during the outage is missing afterwards',
      missing.length === 0,
      `${acknowledged.length} creates acknowledged during the outage, ${missing.length} not stored`,
    );
  },
};
