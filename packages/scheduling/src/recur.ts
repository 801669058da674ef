import { type RuleError, ruleError } from './errors.js';

export const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'] as const;
export type Freq = (typeof FREQS)[number];
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ByDay {
  /** Ordinal (e.g. -1 in `-1FR`), or 0 when the day has none. */
  readonly n: number;
  readonly day: Weekday;
}

/** A validated RRULE. UNTIL stays raw text here; the compiler resolves it against DTSTART's zone. */
export interface Recur {
  readonly freq: Freq;
  readonly interval: number;
  readonly count?: number;
  readonly until?: string;
  readonly bySecond?: readonly number[];
  readonly byMinute?: readonly number[];
  readonly byHour?: readonly number[];
  readonly byDay?: readonly ByDay[];
  readonly byMonthDay?: readonly number[];
  readonly byYearDay?: readonly number[];
  readonly byWeekNo?: readonly number[];
  readonly byMonth?: readonly number[];
  readonly bySetPos?: readonly number[];
  readonly wkst?: Weekday;
}

type NumericPart =
  | 'BYSECOND'
  | 'BYMINUTE'
  | 'BYHOUR'
  | 'BYMONTHDAY'
  | 'BYYEARDAY'
  | 'BYWEEKNO'
  | 'BYMONTH'
  | 'BYSETPOS';

/** [min, max, negatives allowed] per RFC 5545 §3.3.10; zero is never allowed where negatives are. */
const RANGES: Record<NumericPart, readonly [number, number, boolean]> = {
  BYSECOND: [0, 59, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYMONTH: [1, 12, false],
  BYSETPOS: [1, 366, true],
};
const KNOWN = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST', ...Object.keys(RANGES)]);
const INTEGER = /^[+-]?\d{1,6}$/;

type Fields = Map<string, { value: string; text: string }>;

function splitParts(value: string, errors: RuleError[]): Fields {
  const fields: Fields = new Map();
  for (const text of value.split(';')) {
    if (text === '') continue; // a trailing or doubled ";" is harmless
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).toUpperCase();
    if (eq <= 0) errors.push(ruleError('SYNTAX', `Rule part "${text}" is not NAME=VALUE.`, text));
    else if (!KNOWN.has(key)) {
      const hint = key === 'DTSTART' ? ' Put DTSTART on its own line.' : '';
      errors.push(ruleError('UNKNOWN_PART', `Unknown or unsupported rule part ${key}.${hint}`, text));
    } else if (fields.has(key)) errors.push(ruleError('DUPLICATE_PART', `${key} is given twice.`, text));
    else fields.set(key, { value: text.slice(eq + 1), text });
  }
  return fields;
}

function numberList(name: NumericPart, field: { value: string; text: string }, errors: RuleError[]) {
  const [min, max, signed] = RANGES[name];
  const out: number[] = [];
  for (const item of field.value.split(',')) {
    const n = Number(item);
    if (!INTEGER.test(item)) {
      errors.push(ruleError('INVALID_VALUE', `${name} value "${item}" is not an integer.`, field.text));
      return undefined;
    }
    const abs = signed ? Math.abs(n) : n;
    if (abs < min || abs > max || (!signed && item.startsWith('-'))) {
      const range = signed ? `±${min}..${max}` : `${min}..${max}`;
      errors.push(ruleError('OUT_OF_RANGE', `${name} value ${item} is outside ${range}.`, field.text));
      return undefined;
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function positive(name: string, field: { value: string; text: string } | undefined, errors: RuleError[]) {
  if (!field) return undefined;
  const n = Number(field.value);
  if (!/^\+?\d{1,9}$/.test(field.value) || n < 1) {
    errors.push(ruleError('OUT_OF_RANGE', `${name} must be a whole number of at least 1.`, field.text));
    return undefined;
  }
  return n;
}

function byDayList(field: { value: string; text: string }, freq: Freq | undefined, errors: RuleError[]) {
  const out: ByDay[] = [];
  const maxOrdinal = freq === 'MONTHLY' ? 5 : 53;
  for (const item of field.value.split(',')) {
    const m = /^([+-]?\d{1,2})?([A-Za-z]{2})$/.exec(item);
    const day = m?.[2]?.toUpperCase() as Weekday | undefined;
    if (!m || !day || !WEEKDAYS.includes(day)) {
      errors.push(ruleError('INVALID_VALUE', `BYDAY value "${item}" is not like MO, 2TU or -1FR.`, field.text));
      return undefined;
    }
    const n = m[1] === undefined ? 0 : Number(m[1]);
    if (m[1] !== undefined && (n === 0 || Math.abs(n) > maxOrdinal)) {
      const msg = `BYDAY ordinal ${m[1]} is outside ±1..${maxOrdinal} for FREQ=${freq}.`;
      errors.push(ruleError('OUT_OF_RANGE', msg, field.text));
      return undefined;
    }
    if (!out.some((d) => d.n === n && d.day === day)) out.push({ n, day });
  }
  return out;
}

function parseFreq(fields: Fields, errors: RuleError[]): Freq | undefined {
  const field = fields.get('FREQ');
  if (!field) {
    errors.push(ruleError('MISSING_FREQ', 'The rule needs FREQ (e.g. FREQ=DAILY).', ''));
    return undefined;
  }
  const freq = field.value.toUpperCase() as Freq;
  if (FREQS.includes(freq)) return freq;
  errors.push(ruleError('INVALID_FREQ', `FREQ must be one of ${FREQS.join(', ')}.`, field.text));
  return undefined;
}

/** Parses and validates an RRULE value (note rule 9). Returns the rule or the list of problems. */
export function parseRecur(value: string): { recur?: Recur; errors: RuleError[] } {
  const errors: RuleError[] = [];
  const fields = splitParts(value, errors);
  const freq = parseFreq(fields, errors);
  const num = (name: NumericPart) => {
    const field = fields.get(name);
    return field ? numberList(name, field, errors) : undefined;
  };
  const wkstField = fields.get('WKST');
  const wkst = wkstField?.value.toUpperCase() as Weekday | undefined;
  if (wkstField && (!wkst || !WEEKDAYS.includes(wkst))) {
    errors.push(ruleError('INVALID_VALUE', 'WKST must be a weekday (MO..SU).', wkstField.text));
  }
  const byDayField = fields.get('BYDAY');
  const recur: Recur = {
    freq: freq ?? 'DAILY',
    interval: positive('INTERVAL', fields.get('INTERVAL'), errors) ?? 1,
    count: positive('COUNT', fields.get('COUNT'), errors),
    until: fields.get('UNTIL')?.value,
    bySecond: num('BYSECOND'),
    byMinute: num('BYMINUTE'),
    byHour: num('BYHOUR'),
    byDay: byDayField ? byDayList(byDayField, freq, errors) : undefined,
    byMonthDay: num('BYMONTHDAY'),
    byYearDay: num('BYYEARDAY'),
    byWeekNo: num('BYWEEKNO'),
    byMonth: num('BYMONTH'),
    bySetPos: num('BYSETPOS'),
    wkst,
  };
  if (freq) checkCombination(recur, fields, errors);
  return errors.length > 0 ? { errors } : { recur, errors };
}

function checkCombination(r: Recur, fields: Fields, errors: RuleError[]): void {
  const text = (name: string) => fields.get(name)?.text ?? name;
  const notAllowed = (name: string, why: string) =>
    errors.push(ruleError('PART_NOT_ALLOWED', `${name} ${why}.`, text(name)));
  if (r.count !== undefined && r.until !== undefined) {
    const msg = 'COUNT and UNTIL must not both be given (RFC 5545 §3.3.10).';
    errors.push(ruleError('COUNT_WITH_UNTIL', msg, `${text('COUNT')};${text('UNTIL')}`));
  }
  if (r.byWeekNo && r.freq !== 'YEARLY') notAllowed('BYWEEKNO', 'is only allowed with FREQ=YEARLY');
  if (r.byYearDay && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(r.freq)) {
    notAllowed('BYYEARDAY', `is not allowed with FREQ=${r.freq}`);
  }
  if (r.byMonthDay && r.freq === 'WEEKLY') notAllowed('BYMONTHDAY', 'is not allowed with FREQ=WEEKLY');
  const ordinal = r.byDay?.some((d) => d.n !== 0);
  if (ordinal && r.freq !== 'MONTHLY' && r.freq !== 'YEARLY') {
    notAllowed('BYDAY', 'with an ordinal (like 1MO) needs FREQ=MONTHLY or FREQ=YEARLY');
  } else if (ordinal && r.freq === 'YEARLY' && r.byWeekNo) {
    notAllowed('BYDAY', 'with an ordinal is not allowed together with BYWEEKNO');
  } else if (ordinal && r.freq === 'YEARLY' && r.byMonth && r.byDay?.some((d) => Math.abs(d.n) > 5)) {
    errors.push(ruleError('OUT_OF_RANGE', 'BYDAY ordinal beyond ±5 cannot match within BYMONTH.', text('BYDAY')));
  }
  const others = [...fields.keys()].filter((k) => k.startsWith('BY') && k !== 'BYSETPOS');
  if (r.bySetPos && others.length === 0) {
    errors.push(ruleError('BYSETPOS_ALONE', 'BYSETPOS needs another BYxxx part to select from.', text('BYSETPOS')));
  }
}

/** Whether any BYxxx part is present (sub-daily rules then run on the wall clock). */
export function hasByParts(r: Recur): boolean {
  return [r.bySecond, r.byMinute, r.byHour, r.byDay, r.byMonthDay, r.byYearDay, r.byWeekNo, r.byMonth, r.bySetPos].some(
    (p) => p !== undefined,
  );
}

const list = (name: string, values: readonly (number | string)[] | undefined) =>
  values ? [`${name}=${values.join(',')}`] : [];

/** RRULE value in a fixed part order; `until` is the already normalised `...Z` text. */
export function formatRecur(r: Recur, until: string | undefined): string {
  return [
    `FREQ=${r.freq}`,
    ...(r.interval !== 1 ? [`INTERVAL=${r.interval}`] : []),
    ...(r.count !== undefined ? [`COUNT=${r.count}`] : []),
    ...(until !== undefined ? [`UNTIL=${until}`] : []),
    ...list('BYMONTH', r.byMonth),
    ...list('BYWEEKNO', r.byWeekNo),
    ...list('BYYEARDAY', r.byYearDay),
    ...list('BYMONTHDAY', r.byMonthDay),
    ...list(
      'BYDAY',
      r.byDay?.map((d) => `${d.n === 0 ? '' : d.n}${d.day}`),
    ),
    ...list('BYHOUR', r.byHour),
    ...list('BYMINUTE', r.byMinute),
    ...list('BYSECOND', r.bySecond),
    ...list('BYSETPOS', r.bySetPos),
    ...(r.wkst ? [`WKST=${r.wkst}`] : []),
  ].join(';');
}
