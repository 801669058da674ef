import { describe, expect, it } from '@jest/globals';
import { EMPTY_FORM, fieldOf, formOf, parseHeaderLines, toInput } from './form.js';
import type { Schedule } from './types.js';

const schedule: Schedule = {
  id: 's1',
  name: 'Report',
  rrule: 'DTSTART;TZID=Europe/Berlin:20260301T090000\nRRULE:FREQ=DAILY',
  timezone: 'Europe/Berlin',
  callback_url: 'https://example.com/hook',
  method: 'POST',
  headers: { 'X-Team': 'ops' },
  body: null,
  timeout_ms: 10000,
  retry_policy: { max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 60000 },
  misfire_policy: 'fire_once',
  misfire_grace_seconds: 0,
  overlap_policy: 'allow',
  max_consecutive_failures: 0,
  consecutive_failures: 0,
  metadata: {},
  status: 'active',
  paused_reason: null,
  paused_at: null,
  next_run_at: null,
  last_run_at: null,
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-01T00:00:00.000Z',
  version: 1,
};

describe('the schedule form', () => {
  it('sends every field on create, numbers as numbers, an empty body as null', () => {
    const result = toInput({
      ...EMPTY_FORM,
      name: ' Report ',
      rrule: 'FREQ=DAILY\n',
      callback_url: 'https://example.com/hook',
      headers: 'X-Team: ops\n\nX-Trace:  a:b ',
      max_attempts: '3',
    });
    expect(result).toEqual({
      input: {
        name: 'Report',
        rrule: 'FREQ=DAILY',
        callback_url: 'https://example.com/hook',
        method: 'POST',
        headers: { 'X-Team': 'ops', 'X-Trace': 'a:b' },
        body: null,
        timeout_ms: 10000,
        retry_policy: { max_attempts: 3 },
        misfire_policy: 'fire_once',
        overlap_policy: 'allow',
        max_consecutive_failures: 0,
      },
    });
  });

  it('sends only what changed on edit', () => {
    const before = formOf(schedule);
    expect(toInput({ ...before, name: 'Renamed', body: '{"a":1}' }, before)).toEqual({
      input: { name: 'Renamed', body: '{"a":1}' },
    });
    expect(toInput(before, before)).toEqual({ input: {} });
  });

  it('leaves number checks to the API: text that is not a whole number is sent as typed', () => {
    const result = toInput({ ...EMPTY_FORM, timeout_ms: '12.5s' });
    expect(result).toMatchObject({ input: { timeout_ms: '12.5s' } });
  });

  it('names the header line it cannot read', () => {
    expect(parseHeaderLines('X-Ok: 1\nno colon here')).toEqual({ error: 'line 2: expected "Name: value"' });
    expect(toInput({ ...EMPTY_FORM, headers: ': empty name' })).toEqual({
      errors: [{ field: 'headers', message: 'line 1: expected "Name: value"' }],
    });
  });

  it('maps the API’s dotted field names to form fields', () => {
    expect(fieldOf('rrule')).toBe('rrule');
    expect(fieldOf('retry_policy.max_attempts')).toBe('max_attempts');
    expect(fieldOf('headers.Host')).toBe('headers');
    expect(fieldOf('metadata.x')).toBeNull();
    expect(fieldOf('')).toBeNull();
  });

  it('shows an existing schedule’s headers one per line', () => {
    expect(formOf(schedule)).toMatchObject({ headers: 'X-Team: ops', max_attempts: '6', body: '' });
  });
});
