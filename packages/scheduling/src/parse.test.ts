import { describe, expect, it } from '@jest/globals';
import { compileRule } from './compile.js';
import { DEFAULT_LIMITS } from './options.js';

const now = new Date('2026-11-29T08:00:00.500Z');
const errorsOf = (text: string, timezone?: string, limits = {}) => {
  const r = compileRule({ text, now, ...(timezone ? { timezone } : {}) }, limits);
  return r.ok ? [] : r.errors.map((e) => ({ code: e.code, part: e.part }));
};
const textOf = (text: string, timezone?: string) => {
  const r = compileRule({ text, now, ...(timezone ? { timezone } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rule.text;
};

describe('input forms', () => {
  it('accepts a bare rule, RRULE: prefix, lowercase names, spaces, CRLF and a trailing ;', () => {
    expect(textOf('FREQ=DAILY')).toBe('DTSTART:20261129T080000Z\nRRULE:FREQ=DAILY');
    expect(textOf('rrule:freq=weekly;byday=mo,we')).toBe('DTSTART:20261129T080000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE');
    expect(textOf('  DTSTART:20250101T090000Z   RRULE:FREQ=DAILY;COUNT=2;  ')).toBe(
      'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=2',
    );
    expect(textOf('DTSTART:20250101T090000Z\r\n\r\nRRULE:FREQ=DAILY;COUNT=2;\r\n')).toContain('COUNT=2');
  });
  it('honours RFC line folding but not indented properties', () => {
    expect(textOf('DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;CO\n UNT=2')).toContain('COUNT=2');
    expect(textOf('DTSTART:20250101T090000Z\n    RRULE:FREQ=DAILY;COUNT=2')).toContain('COUNT=2');
  });
  it('stores a missing DTSTART as the creation time in whole seconds, in the schedule zone', () => {
    expect(textOf('FREQ=DAILY', 'Europe/Berlin')).toBe('DTSTART;TZID=Europe/Berlin:20261129T090000\nRRULE:FREQ=DAILY');
  });
  it('normalises EXDATE/RDATE with their own TZID to UTC and sorts them', () => {
    const text = textOf(
      'DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=DAILY\nEXDATE;TZID=America/New_York:20250103T030000,20250102T030000\nRDATE:20250101T120000Z',
    );
    expect(text).toBe(
      'DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=DAILY\nEXDATE:20250102T080000Z,20250103T080000Z\nRDATE:20250101T120000Z',
    );
  });
  it('accepts a TZID that agrees with the timezone field, in any case', () => {
    expect(textOf('DTSTART;TZID=europe/BERLIN:20250101T090000\nRRULE:FREQ=DAILY', 'Europe/Berlin')).toMatch(
      /^DTSTART;TZID=Europe\/Berlin:/,
    );
  });
});

describe('validation (note rule 9): code and offending part', () => {
  it.each([
    ['DTSTART:20250101T090000Z\nRRULE:COUNT=2', 'MISSING_FREQ', ''],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=FORTNIGHTLY', 'INVALID_FREQ', 'FREQ=FORTNIGHTLY'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=0', 'OUT_OF_RANGE', 'INTERVAL=0'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=0', 'OUT_OF_RANGE', 'COUNT=0'],
    [
      'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=2;UNTIL=20250105T000000Z',
      'COUNT_WITH_UNTIL',
      'COUNT=2;UNTIL=20250105T000000Z',
    ],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;BYMINUTE=60', 'OUT_OF_RANGE', 'BYMINUTE=60'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;BYSECOND=60', 'OUT_OF_RANGE', 'BYSECOND=60'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYYEARDAY=367', 'OUT_OF_RANGE', 'BYYEARDAY=367'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=0', 'OUT_OF_RANGE', 'BYWEEKNO=0'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=13', 'OUT_OF_RANGE', 'BYMONTH=13'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0', 'OUT_OF_RANGE', 'BYSETPOS=0'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=6MO', 'OUT_OF_RANGE', 'BYDAY=6MO'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=x', 'INVALID_VALUE', 'BYHOUR=x'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=1MO', 'PART_NOT_ALLOWED', 'BYDAY=1MO'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYWEEKNO=1', 'PART_NOT_ALLOWED', 'BYWEEKNO=1'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYYEARDAY=1', 'PART_NOT_ALLOWED', 'BYYEARDAY=1'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=WEEKLY;BYMONTHDAY=1', 'PART_NOT_ALLOWED', 'BYMONTHDAY=1'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS_ALONE', 'BYSETPOS=1'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;FREQ=WEEKLY', 'DUPLICATE_PART', 'FREQ=WEEKLY'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;DTSTART=20250101T090000Z', 'UNKNOWN_PART', 'DTSTART=20250101T090000Z'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY', 'EXRULE_UNSUPPORTED', 'EXRULE:FREQ=WEEKLY'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nSUMMARY:x', 'UNKNOWN_PROPERTY', 'SUMMARY:x'],
    [
      'DTSTART:20250101T090000Z\nDTSTART:20250102T090000Z\nRRULE:FREQ=DAILY',
      'DUPLICATE_PROPERTY',
      'DTSTART:20250102T090000Z',
    ],
    ['DTSTART:20250101T090000Z', 'MISSING_RRULE', ''],
    ['DTSTART:20250230T090000Z\nRRULE:FREQ=DAILY', 'INVALID_DATE_TIME', 'DTSTART:20250230T090000Z'],
    [
      'DTSTART;TZID=Mars/Olympus:20250101T090000\nRRULE:FREQ=DAILY',
      'UNKNOWN_TZID',
      'DTSTART;TZID=Mars/Olympus:20250101T090000',
    ],
    ['DTSTART;FOO=1:20250101T090000\nRRULE:FREQ=DAILY', 'UNKNOWN_PARAMETER', 'DTSTART;FOO=1:20250101T090000'],
    [
      'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20250102',
      'VALUE_TYPE_MISMATCH',
      'EXDATE;VALUE=DATE:20250102',
    ],
    [
      'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nRDATE;VALUE=PERIOD:20250102T090000Z/PT1H',
      'VALUE_TYPE_MISMATCH',
      'RDATE;VALUE=PERIOD:20250102T090000Z/PT1H',
    ],
    ['DTSTART:19000101T090000Z\nRRULE:FREQ=DAILY', 'DTSTART_OUT_OF_RANGE', 'DTSTART:19000101T090000Z'],
    [
      'DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20240101T000000Z',
      'UNTIL_BEFORE_DTSTART',
      'UNTIL=20240101T000000Z',
    ],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=MINUTELY;INTERVAL=1;BYSECOND=0,30', 'INTERVAL_TOO_SHORT', 'RRULE'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30', 'INTERVAL_TOO_SHORT', 'FREQ=SECONDLY;INTERVAL=30'],
    ['DTSTART:20250101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'NO_OCCURRENCE', 'RRULE'],
    ['DTSTART:20430101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO', 'TOO_RARE', 'RRULE'],
  ])('%j -> %s', (text, code, part) => {
    expect(errorsOf(text)).toContainEqual({ code, part });
  });

  it('rejects a TZID that contradicts the timezone field, and an unknown timezone field', () => {
    expect(errorsOf('DTSTART;TZID=Europe/Paris:20250101T090000\nRRULE:FREQ=DAILY', 'Europe/Berlin')[0]?.code).toBe(
      'TZID_CONFLICT',
    );
    expect(errorsOf('FREQ=DAILY', 'Europe/Atlantis')).toEqual([
      { code: 'UNKNOWN_TZID', part: 'timezone=Europe/Atlantis' },
    ]);
  });
  it('reports several problems at once', () => {
    const codes = errorsOf('DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=24;BYMINUTE=61;X-A=1').map((e) => e.code);
    expect(codes).toEqual(['UNKNOWN_PART', 'OUT_OF_RANGE', 'OUT_OF_RANGE']);
  });
  it('limits the rule text length and the number of dates', () => {
    expect(errorsOf(`FREQ=DAILY;${'X'.repeat(DEFAULT_LIMITS.maxRuleLength)}`)[0]?.code).toBe('RULE_TOO_LONG');
    expect(
      errorsOf('DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nRDATE:20250101T100000Z,20250101T110000Z', undefined, {
        maxDates: 1,
      })[0]?.code,
    ).toBe('OUT_OF_RANGE');
    expect(errorsOf('   ')[0]?.code).toBe('RULE_EMPTY');
  });
  it('lets callers lower the minimum interval', () => {
    expect(
      errorsOf('DTSTART:20250101T090000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30', undefined, { minIntervalSeconds: 30 }),
    ).toEqual([]);
  });
});
