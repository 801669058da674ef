import { describe, expect, it } from '@jest/globals';
import { verdictOf } from './verdict.js';

const active = { version: 2, status: 'active' as const };
const rule = { kind: 'rule' as const, version: 2, round: 0 };

describe('verdictOf, the one "should it still fire?" rule', () => {
  it('fires a rule occurrence planned under the current version', () => {
    expect(verdictOf(rule, active)).toEqual({ fire: true });
    expect(verdictOf(rule, { ...active, status: 'completed' })).toEqual({ fire: true });
  });

  it('cancels a rule occurrence of an older version', () => {
    expect(verdictOf({ ...rule, version: 1 }, active)).toEqual({
      fire: false,
      status: 'cancelled',
      reason: 'schedule changed (planned under version 1, now 2)',
    });
  });

  it('cancels everything of a paused or deleted schedule, whatever its kind', () => {
    for (const kind of ['rule', 'manual', 'backfill'] as const)
      for (const round of [0, 1]) {
        expect(verdictOf({ kind, version: 2, round }, { ...active, status: 'paused' })).toMatchObject({
          fire: false,
          reason: 'schedule paused',
        });
        expect(verdictOf({ kind, version: 2, round }, { ...active, status: 'deleted' })).toMatchObject({
          fire: false,
          reason: 'schedule deleted',
        });
        expect(verdictOf({ kind, version: 2, round }, null)).toMatchObject({ fire: false, reason: 'schedule deleted' });
      }
  });

  it('does not tie manual triggers and backfills to the version', () => {
    expect(verdictOf({ kind: 'manual', version: 1, round: 0 }, active)).toEqual({ fire: true });
    expect(verdictOf({ kind: 'backfill', version: 1, round: 0 }, active)).toEqual({ fire: true });
  });

  it('lets a redelivery survive a later edit of its schedule (but not a pause)', () => {
    // A redelivery whose first attempt failed is waiting for its retry when the schedule is edited:
    // the edit bumps the version; the redelivery still goes.
    const redelivery = { kind: 'rule' as const, version: 1, round: 1 };
    expect(verdictOf(redelivery, { version: 3, status: 'active' })).toEqual({ fire: true });
    expect(verdictOf(redelivery, { version: 3, status: 'paused' })).toMatchObject({ fire: false });
  });
});
