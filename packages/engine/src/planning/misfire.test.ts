import { describe, expect, it } from '@jest/globals';
import { lateJobFate, misfireFates } from './misfire.js';

const now = new Date('2030-01-01T00:01:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('misfireFates', () => {
  const occurrences = [ago(40), ago(30), ago(20), ago(5), ago(-10)];
  const fates = (policy: 'fire_once' | 'fire_all' | 'skip', moreMissedPending = false) =>
    misfireFates(occurrences, { policy, graceMs: 10_000, now, moreMissedPending });

  it('fires what is within grace or ahead, whatever the policy', () => {
    for (const policy of ['fire_once', 'fire_all', 'skip'] as const)
      expect(fates(policy).slice(3)).toEqual(['fire', 'fire']);
  });
  it('fire_once fires only the latest missed occurrence', () => {
    expect(fates('fire_once').slice(0, 3)).toEqual(['skip', 'skip', 'fire']);
  });
  it('fire_once skips all when later missed occurrences are still to come', () => {
    expect(fates('fire_once', true).slice(0, 3)).toEqual(['skip', 'skip', 'skip']);
  });
  it('fire_all fires every missed occurrence; skip skips them', () => {
    expect(fates('fire_all').slice(0, 3)).toEqual(['fire', 'fire', 'fire']);
    expect(fates('skip').slice(0, 3)).toEqual(['skip', 'skip', 'skip']);
  });
  it('counts an occurrence exactly at the grace edge as not missed', () => {
    expect(misfireFates([ago(10)], { policy: 'skip', graceMs: 10_000, now })).toEqual(['fire']);
  });
});

describe('lateJobFate', () => {
  const late = (policy: 'fire_once' | 'fire_all' | 'skip', next: Date | null) =>
    lateJobFate({ policy, nextOccurrence: next, now, graceMs: 10_000 });
  it('fire_once fires a late job only when the next occurrence is not missed too', () => {
    expect(late('fire_once', ago(20))).toBe('skip');
    expect(late('fire_once', ago(5))).toBe('fire');
    expect(late('fire_once', ago(-5))).toBe('fire');
    expect(late('fire_once', null)).toBe('fire');
  });
  it('fire_all always fires; skip always skips', () => {
    expect(late('fire_all', ago(20))).toBe('fire');
    expect(late('skip', ago(-5))).toBe('skip');
  });
});
