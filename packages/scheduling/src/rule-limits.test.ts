import { describe, expect, it } from '@jest/globals';
import { compileSavedRule, compileUserRule } from './rule-limits.js';

const now = new Date('2026-01-01T00:00:00Z');
const everyThirtySeconds = 'DTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30';

describe('compileUserRule', () => {
  it('holds a new rule to the configured minimum gap', () => {
    const refused = compileUserRule({ text: everyThirtySeconds, now }, { minIntervalSeconds: 60 });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.errors.map((e) => e.code)).toEqual(['INTERVAL_TOO_SHORT']);
    expect(compileUserRule({ text: everyThirtySeconds, now }, { minIntervalSeconds: 30 }).ok).toBe(true);
  });

  it('turns the text into the canonical form with DTSTART', () => {
    const result = compileUserRule({ text: 'FREQ=DAILY;INTERVAL=1', now }, { minIntervalSeconds: 60 });
    expect(result.ok && result.rule.text).toBe('DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY');
  });
});

describe('compileSavedRule', () => {
  it('never refuses a stored rule for its gap, whatever the minimum is now', () => {
    const result = compileSavedRule({ text: everyThirtySeconds, timezone: 'UTC', now });
    expect(result.ok).toBe(true);
  });

  it('uses the same validation limits as new rules otherwise', () => {
    const user = compileUserRule({ text: everyThirtySeconds, now }, { minIntervalSeconds: 1 });
    const saved = compileSavedRule({ text: everyThirtySeconds, timezone: 'UTC', now });
    expect(saved.ok && user.ok).toBe(true);
    if (!saved.ok || !user.ok) return;
    expect({ ...saved.rule.limits, minIntervalSeconds: 0 }).toEqual({ ...user.rule.limits, minIntervalSeconds: 0 });
    const broken = compileSavedRule({
      text: 'DTSTART:20260101T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      timezone: 'UTC',
      now,
    });
    expect(!broken.ok && broken.errors[0]?.code).toBe('NO_OCCURRENCE');
  });

  it('takes an expansion budget, and only that', () => {
    const limits = { maxCallMs: 5, maxIterations: 50, minIntervalSeconds: 3600, maxGapYears: 1 };
    const result = compileSavedRule({ text: everyThirtySeconds, timezone: 'UTC', now }, limits);
    expect(result.ok && result.rule.limits).toMatchObject({
      maxCallMs: 5,
      maxIterations: 50,
      minIntervalSeconds: 0,
      maxGapYears: 10,
    });
  });
});
