import { describe, expect, it } from '@jest/globals';
import { compileRule } from './compile.js';
import { canonicalZone, ICU_LEGACY_NAMES } from './zone.js';

const now = new Date('2026-11-29T00:00:00Z');

describe('zone names are stored in their current IANA spelling (issue 16)', () => {
  it.each(Object.entries(ICU_LEGACY_NAMES))('%s and %s both become the IANA name', (legacy, iana) => {
    expect(canonicalZone(iana)).toBe(iana);
    expect(canonicalZone(legacy)).toBe(iana);
    expect(canonicalZone(iana.toLowerCase())).toBe(iana);
  });

  it('keeps Asia/Kolkata and Asia/Kathmandu in the canonical rule text', () => {
    const kolkata = compileRule({ text: 'DTSTART;TZID=Asia/Kolkata:20250101T090000\nRRULE:FREQ=DAILY', now });
    const kathmandu = compileRule({ text: 'FREQ=DAILY', timezone: 'asia/katmandu', now });
    if (!kolkata.ok || !kathmandu.ok) throw new Error('both rules must compile');
    expect(kolkata.rule.text).toBe('DTSTART;TZID=Asia/Kolkata:20250101T090000\nRRULE:FREQ=DAILY');
    expect(kolkata.rule.timezone).toBe('Asia/Kolkata');
    expect(kathmandu.rule.text.split('\n')[0]).toMatch(/^DTSTART;TZID=Asia\/Kathmandu:/);
  });

  it('treats an old spelling and the current one as the same zone (no TZID conflict)', () => {
    const r = compileRule({
      text: 'DTSTART;TZID=Asia/Calcutta:20250101T090000\nRRULE:FREQ=DAILY',
      timezone: 'Asia/Kolkata',
      now,
    });
    expect(r.ok && r.rule.text.startsWith('DTSTART;TZID=Asia/Kolkata:')).toBe(true);
  });

  it('keeps zones whose ICU and IANA names agree, and resolves plain aliases as before', () => {
    expect(canonicalZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalZone('europe/amsterdam')).toBe('Europe/Amsterdam');
    expect(canonicalZone('US/Eastern')).toBe('America/New_York');
    expect(canonicalZone('Etc/UTC')).toBe('UTC');
    expect(canonicalZone('Europe/Nowhere')).toBeUndefined();
  });
});
