import { describe, expect, it } from '@jest/globals';
import { formatBound, formatDuration, formatInstant, formatRelative, formatWallTime, maskSecret } from './format.js';

describe('formatting', () => {
  it('writes an instant in the zone asked for', () => {
    expect(formatInstant('2026-03-29T01:30:00Z', 'Europe/Berlin')).toBe('29 Mar 2026, 03:30:00 CEST');
    expect(formatInstant('2026-03-29T00:30:00Z', 'Europe/Berlin')).toBe('29 Mar 2026, 01:30:00 CET');
    expect(formatInstant(null)).toBe('—');
    expect(formatInstant('not a date')).toBe('not a date');
  });

  it('writes a wall time with its offset', () => {
    expect(formatWallTime('2026-03-08T03:30:00', '-04:00')).toBe('08 Mar 2026, 03:30:00 (UTC-04:00)');
  });

  it('writes durations at a useful precision', () => {
    expect([0, 12.4, 999, 1234, 12_345, 61_000, 125_000, -250].map(formatDuration)).toEqual([
      '0 ms',
      '12 ms',
      '999 ms',
      '1.23 s',
      '12.3 s',
      '1 min 1 s',
      '2 min 5 s',
      '−250 ms',
    ]);
    expect(formatDuration(null)).toBe('—');
    const at = (iso: string) => formatRelative(iso, Date.parse('2026-01-01T00:00:00Z'));
    expect(at('2026-01-01T00:00:30.4Z')).toBe('in 30 s');
    expect(at('2025-12-31T23:59:55Z')).toBe('5 s ago');
    expect(at('2026-01-01T00:05:59Z')).toBe('in 5 min');
    expect(at('2026-01-01T03:20:00Z')).toBe('in 3 h 20 min');
    expect(at('2026-01-03T12:00:00Z')).toBe('in 2 days');
  });

  it('labels histogram buckets', () => {
    expect(formatBound(250, 100)).toBe('≤ 250 ms');
    expect(formatBound(2500, 1000)).toBe('≤ 2.5 s');
    expect(formatBound(null, 60_000)).toBe('> 60 s');
  });

  it('masks all of a secret but its prefix and last four characters', () => {
    expect(maskSecret('whsec_abcdefghijklmnop')).toBe('whsec_••••••••••••mnop');
    expect(maskSecret('whsec_abcdefghijklmnop')).not.toContain('abcd');
  });
});
