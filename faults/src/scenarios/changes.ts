import type { ScheduleBody } from '../api/ledger.js';
import { dtstart, inLanes, type Scenario } from '../scenario.js';
import { into } from './helpers.js';

export const pauseResume: Scenario = {
  name: 'pause-resume',
  fault: 'pause → resume while occurrences are due within seconds',
  defect: 2,
  proves:
    'An acknowledged pause holds (the schedule still reads paused at that version, nothing fires) although deliveries write to the schedule concurrently, and the resume plans everything after it (defect 2: a pause was undone and the resume then lost every later occurrence).',
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load({ everyS: () => 1 });
    let undone = 0;
    let paused = 0;
    for (const [pauseAt, resumeAt] of [
      [0.1, 0.25],
      [0.4, 0.55],
      [0.7, 0.85],
    ] as const) {
      await ctx.until(into(load.firstDue, runS, pauseAt));
      const answers = await inLanes(load.ids, 10, (id) => ctx.ledger.pause(id));
      const versions = new Map(answers.filter((a) => a.status === 200).map((a) => [a.body.id, a.body.version]));
      ctx.log(`paused ${versions.size} of ${load.ids.length}`);
      // Deliveries already in flight write last_run_at and cursors meanwhile; read back a little later.
      await ctx.until(Date.now() + 3000);
      for (const id of load.ids) {
        const read = await ctx.api.call<ScheduleBody>('GET', `/api/schedules/${id}`);
        const version = versions.get(id);
        if (read.status !== 200 || version === undefined) continue;
        paused += 1;
        if (read.body.status !== 'paused' || read.body.version !== version) {
          undone += 1;
          if (undone <= 5)
            ctx.note(
              `schedule ${id}: paused at version ${version}, read back ${read.body.status} v${read.body.version}`,
            );
        }
      }
      await ctx.until(into(load.firstDue, runS, resumeAt));
      await inLanes(load.ids, 10, (id) => ctx.ledger.resume(id));
    }
    ctx.check(
      'an acknowledged pause still reads paused at its version 3 s later',
      undone === 0,
      `${undone} of ${paused} pauses undone`,
    );
  },
};

export const patchWhileDue: Scenario = {
  name: 'patch-while-due',
  fault: 'PATCH while occurrences are due within seconds',
  defect: 3,
  proves:
    'An update of the callback URL or the rule cancels what was planned under the old version and plans everything after its acknowledgement, none lost and none sent to the old URL (defect 3: the occurrences due in the next ~3 s were dropped).',
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    const load = await ctx.load({ everyS: () => 1 });
    const steps: [number, (id: string) => Record<string, unknown>][] = [
      [0.2, () => ({ callback_url: ctx.receiver.url('a', 'patched') })],
      [
        0.45,
        () => ({
          rrule: `DTSTART:${dtstart(load.firstDue)}\nRRULE:FREQ=SECONDLY;INTERVAL=2`,
          body: { patched: true },
        }),
      ],
      [0.7, () => ({ callback_url: ctx.receiver.url('a', 'main') })],
    ];
    for (const [fraction, patch] of steps) {
      await ctx.until(into(load.firstDue, runS, fraction));
      const answers = await inLanes(load.ids, 10, (id) => ctx.ledger.update(id, patch(id)));
      const refused = answers.filter((a) => a.status !== 200);
      ctx.log(`patched ${answers.length - refused.length} of ${answers.length}: ${JSON.stringify(patch(''))}`);
      if (refused.length > 0) ctx.note(`PATCH refused: ${refused[0]?.status} ${JSON.stringify(refused[0]?.body)}`);
    }
  },
};

export const patchLastOccurrences: Scenario = {
  name: 'patch-last-occurrences',
  fault: 'PATCH twice a schedule whose last occurrences are all planned',
  proves:
    'A schedule whose remaining occurrences all lie inside the planning window (an update re-plans them to the end, and it may read `completed` while some are still due) can be updated again: the rest go to the new URL, none lost (found by this suite: the second update cancelled them and planned nothing again).',
  async run(ctx) {
    const runS = ctx.settings.durations.runS;
    // Bounded rules that end inside the 1-minute planning window.
    const load = await ctx.load({ everyS: () => 1, occurrences: runS });
    for (const [fraction, lane] of [
      [0.25, 'patched'],
      [0.5, 'main'],
    ] as const) {
      await ctx.until(into(load.firstDue, runS, fraction));
      const answers = await inLanes(load.ids, 10, (id) =>
        ctx.ledger.update(id, { callback_url: ctx.receiver.url('a', lane) }),
      );
      const statuses = [...new Set(answers.map((a) => `${a.status} ${a.body?.status ?? ''}`))];
      ctx.note(`PATCH to ${lane}: ${statuses.join(', ')}`);
      await ctx.until(Date.now() + 2000);
      const read = await ctx.api.call<ScheduleBody>('GET', `/api/schedules/${load.ids[0]}`);
      ctx.note(`2 s later it reads ${read.body?.status}`);
    }
  },
};
