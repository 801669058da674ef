import type { Scenario } from '../scenario.js';
import { sleep } from '../stack/process.js';
import { ms } from './helpers.js';

/** An answer to a bomb must come this fast ("400 within 1 s", with room for a loaded 2-core machine). */
const BOMB_MS = 2000;
/** /healthz must keep answering this fast while bombs land. */
const HEALTH_MS = 1000;

const every = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i).join(',');

/** Rules that are expensive, impossible or absurd to expand: each must be refused (or previewed) quickly. */
export const RULE_BOMBS: readonly string[] = [
  'FREQ=HOURLY;INTERVAL=2;BYHOUR=1,3,5,7,9,11,13,15,17,19,21,23',
  'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31',
  'FREQ=SECONDLY;INTERVAL=0',
  'FREQ=SECONDLY;COUNT=100000000',
  'FREQ=MINUTELY;BYYEARDAY=366;BYMONTH=2',
  'FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;BYMONTH=1;BYMONTHDAY=1',
  `FREQ=YEARLY;BYYEARDAY=${every(1, 366)};BYSETPOS=-1`,
  `FREQ=SECONDLY;BYSECOND=${every(0, 59)};BYMINUTE=${every(0, 59)};BYHOUR=${every(0, 23)}`,
  'FREQ=HOURLY;INTERVAL=1000;BYHOUR=1;BYMINUTE=1;BYSECOND=1',
  'DTSTART:21991231T235959Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO',
  'DTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=1;BYSETPOS=1,-1',
  'FREQ=DAILY;UNTIL=19700101T000000Z',
  `RRULE:${'FREQ=DAILY;'.repeat(350)}`,
  `FREQ=YEARLY;BYDAY=${Array.from({ length: 600 }, (_, i) => `${(i % 53) + 1}MO`).join(',')}`,
];

interface Shot {
  what: string;
  status: number;
  ms: number;
}

export const ruleBombs: Scenario = {
  name: 'rule-bombs',
  fault: 'rule bombs at the API while deliveries run',
  proves:
    'Pathological rules sent to preview and create while deliveries run are answered within 2 s without a 5xx, the API stays responsive, and deliveries stay on time.',
  async run(ctx) {
    const load = await ctx.load();
    const bombsEnd = Math.min(load.lastDue - 5000, load.firstDue + 30_000);
    await ctx.until(load.firstDue + 3000);
    const shots: Shot[] = [];
    const health: number[] = [];
    const shoot = async (lane: number) => {
      for (let i = lane; Date.now() < bombsEnd; i += 4) {
        const rrule = RULE_BOMBS[i % RULE_BOMBS.length] ?? '';
        if (i % 2 === 0) {
          const a = await ctx.api.call('POST', '/api/rrule/preview', {
            body: { rrule, limit: 1000, detail: true },
            timeoutMs: 10_000,
          });
          shots.push({ what: `preview #${i % RULE_BOMBS.length}`, status: a.status, ms: a.ackAt - a.sentAt });
        } else {
          const a = await ctx.ledger.create(
            'a',
            { name: 'faults bomb', rrule, callback_url: ctx.receiver.url('a', 'bomb'), misfire_policy: 'fire_all' },
            'deliver',
          );
          shots.push({ what: `create #${i % RULE_BOMBS.length}`, status: a.status, ms: a.ackAt - a.sentAt });
          if (a.status === 201) await ctx.ledger.remove(a.body.id);
        }
      }
    };
    const probe = async () => {
      while (Date.now() < bombsEnd) {
        const a = await ctx.api.call('GET', '/healthz', { headers: {}, timeoutMs: 10_000 });
        health.push(a.status === 200 ? a.ackAt - a.sentAt : Number.POSITIVE_INFINITY);
        await sleep(500);
      }
    };
    await ctx.fault('rule bombs', () => Promise.all([shoot(0), shoot(1), shoot(2), shoot(3), probe()]));
    const broken = shots.filter((s) => s.status === 0 || s.status >= 500);
    const slow = shots.filter((s) => s.ms > BOMB_MS);
    const byStatus = new Map<number, number>();
    for (const s of shots) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    ctx.note(`${shots.length} bombs: ${[...byStatus].map(([s, n]) => `${n} × ${s}`).join(', ')}`);
    ctx.check(
      'no rule bomb gets a 5xx or no answer',
      shots.length > 0 && broken.length === 0,
      `${broken.length} of ${shots.length}${broken[0] ? `, e.g. ${broken[0].what}: ${broken[0].status}` : ''}`,
    );
    ctx.check(
      `every rule bomb is answered within ${BOMB_MS / 1000} s`,
      slow.length === 0,
      `${slow.length} slower; slowest ${ms(Math.max(0, ...shots.map((s) => s.ms)))}${slow[0] ? ` (${slow[0].what})` : ''}`,
    );
    ctx.check(
      `/healthz answers within ${HEALTH_MS / 1000} s during the bombs`,
      health.length > 0 && Math.max(...health) <= HEALTH_MS,
      `${health.length} probes, slowest ${ms(Math.max(...health))}`,
    );
    ctx.requireOnTime();
  },
};
