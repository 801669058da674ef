import { EVENT_STATUSES, type EventStatus } from '@event-scheduler/models';
import { describe, expect, it } from '@jest/globals';
import {
  advance,
  canMove,
  FINAL_STATUSES,
  MOMENT_STATUSES,
  TRANSITIONS,
  TransitionError,
  WAITING_STATUSES,
} from './lifecycle.js';

const at = (status: EventStatus, s = 0) => ({ time: new Date(s * 1000), status, message: null });

describe('the transition table', () => {
  it('covers every status, and every target is a status', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...EVENT_STATUSES].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const t of targets) expect(EVENT_STATUSES).toContain(t);
  });

  it('allows exactly these moves', () => {
    const allowed = EVENT_STATUSES.flatMap((from) =>
      EVENT_STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'scheduled->dispatched',
        'scheduled->skipped',
        'scheduled->cancelled',
        'dispatched->delivering',
        'dispatched->skipped',
        'dispatched->cancelled',
        'delivering->succeeded',
        'delivering->failed',
        'delivering->retry_scheduled',
        'delivering->cancelled',
        'retry_scheduled->dispatched',
        'retry_scheduled->cancelled',
        'failed->scheduled',
        'cancelled->succeeded',
      ].sort(),
    );
  });

  it('splits statuses into waiting (stored live), moments (history only) and final (archived)', () => {
    expect([...WAITING_STATUSES, ...MOMENT_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...EVENT_STATUSES].sort());
    expect(MOMENT_STATUSES).toEqual(['dispatched', 'delivering']);
    // A final status leads nowhere, except a redelivery of a failure, and a cancel overtaken by
    // the attempt that was in flight (answered 2xx).
    const onward: Record<string, string[]> = { failed: ['scheduled'], cancelled: ['succeeded'] };
    for (const s of FINAL_STATUSES) expect(TRANSITIONS[s]).toEqual(onward[s] ?? []);
  });
});

describe('advance', () => {
  it('records a whole delivery with a retry and a redelivery', () => {
    const history = advance(
      [at('scheduled')],
      at('dispatched', 1),
      at('delivering', 2),
      at('retry_scheduled', 3),
      at('dispatched', 4),
      at('delivering', 5),
      at('failed', 6),
      at('scheduled', 7),
      at('dispatched', 8),
      at('delivering', 9),
      at('succeeded', 10),
    );
    expect(history.map((h) => h.status)).toHaveLength(11);
  });

  it('refuses a move the table does not allow, and leaves the history as it was', () => {
    const history = [at('scheduled')];
    expect(() => advance(history, at('succeeded'))).toThrow(TransitionError);
    expect(() => advance(history, at('dispatched'), at('scheduled'))).toThrow(
      'cannot move from dispatched to scheduled',
    );
    expect(() => advance([at('succeeded')], at('scheduled'))).toThrow(TransitionError);
    expect(history).toHaveLength(1);
  });
});
