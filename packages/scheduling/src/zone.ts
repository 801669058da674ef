import { DAY, HOUR, type WallMs } from './wall.js';

/**
 * Our own zone layer: per-zone, per-UTC-year transition tables built lazily from Intl, so a
 * conversion costs a Map lookup instead of an Intl call (rrule.js pays ~100 µs per occurrence).
 * It never reads the host zone, so results do not depend on `TZ`.
 */

interface Transition {
  readonly at: number;
  readonly offset: number;
}
interface YearTable {
  readonly startOffset: number;
  readonly transitions: readonly Transition[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const tables = new Map<string, Map<number, YearTable>>();
// Daily samples find every transition except two within one day (none in tzdata since 1970).
const SAMPLE_STEP = DAY;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's UTC offset at an instant, straight from Intl (slow path, builds the tables). */
function intlOffset(zone: string, epochMs: number): number {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatter(zone).formatToParts(new Date(epochMs))) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const date = new Date(0);
  const year = fields.year ?? 1970;
  date.setUTCFullYear(bc ? 1 - year : year, (fields.month ?? 1) - 1, fields.day ?? 1);
  date.setUTCHours(fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0, 0);
  return date.getTime() - Math.floor(epochMs / 1000) * 1000;
}

function findTransition(zone: string, lo: number, hi: number, before: number): Transition {
  // Invariant: offset(lo) === before, offset(hi) !== before. Offsets change on whole seconds.
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (intlOffset(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return { at: hi, offset: intlOffset(zone, hi) };
}

function buildYear(zone: string, year: number): YearTable {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const startOffset = intlOffset(zone, start);
  const transitions: Transition[] = [];
  let previous = startOffset;
  let t = start;
  while (t < end) {
    const next = Math.min(t + SAMPLE_STEP, end);
    const offset = intlOffset(zone, next);
    if (offset !== previous) {
      const found = findTransition(zone, t, next, previous);
      if (found.at < end) transitions.push(found);
      previous = offset;
    }
    t = next;
  }
  return { startOffset, transitions };
}

function yearTable(zone: string, epochMs: number): YearTable {
  let byYear = tables.get(zone);
  if (!byYear) {
    byYear = new Map();
    tables.set(zone, byYear);
  }
  const year = new Date(epochMs).getUTCFullYear();
  let table = byYear.get(year);
  if (!table) {
    table = buildYear(zone, year);
    byYear.set(year, table);
  }
  return table;
}

/** UTC offset (ms) of `zone` at the instant `epochMs`. */
export function offsetAt(zone: string, epochMs: number): number {
  if (zone === 'UTC') return 0;
  const table = yearTable(zone, epochMs);
  let offset = table.startOffset;
  for (const tr of table.transitions) {
    if (tr.at > epochMs) break;
    offset = tr.offset;
  }
  return offset;
}

export function instantToWall(zone: string, epochMs: number): WallMs {
  return epochMs + offsetAt(zone, epochMs);
}

export type WallKind = 'exact' | 'gap' | 'fold';

export interface Resolved {
  readonly at: number;
  readonly kind: WallKind;
}

/**
 * RFC 5545 §3.3.5: a repeated wall time means its first instant; a nonexistent one is read with
 * the offset before the gap, i.e. it moves forward by the gap length.
 */
export function resolveWall(zone: string, wall: WallMs): Resolved {
  if (zone === 'UTC') return { at: wall, kind: 'exact' };
  // Offsets lie within ±14 h (+24 h jumps), so ±30 h brackets every instant this wall can be.
  const before = offsetAt(zone, wall - 30 * HOUR);
  const after = offsetAt(zone, wall + 30 * HOUR);
  const beforeOk = offsetAt(zone, wall - before) === before;
  if (before === after) {
    if (beforeOk) return { at: wall - before, kind: 'exact' };
  }
  const afterOk = offsetAt(zone, wall - after) === after;
  if (beforeOk && afterOk) return { at: wall - Math.max(before, after), kind: 'fold' };
  if (beforeOk) return { at: wall - before, kind: 'exact' };
  if (afterOk) return { at: wall - after, kind: 'exact' };
  return { at: wall - before, kind: 'gap' };
}

/** Smallest and largest offset in force in the UTC years around the instant `at` (±2 days). */
export function offsetsNear(zone: string, at: number): { min: number; max: number } {
  if (zone === 'UTC') return { min: 0, max: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of [at - 2 * DAY, at + 2 * DAY]) {
    const table = yearTable(zone, t);
    for (const o of [table.startOffset, ...table.transitions.map((tr) => tr.offset)]) {
      if (o < min) min = o;
      if (o > max) max = o;
    }
  }
  return { min, max };
}

/**
 * ICU (hence Intl) keeps CLDR's old spelling of these zones as canonical: `Asia/Kolkata`
 * resolves to `Asia/Calcutta`. Each maps to the current IANA name (CLDR's `iana` attribute).
 * Found by listing the Intl zones that IANA tzdata only keeps as links to a name Intl lacks,
 * plus the four whose IANA link target is another country's zone.
 */
export const ICU_LEGACY_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/**
 * Canonical IANA spelling of a zone name, matched case-insensitively; undefined if unknown.
 * `UTC`/`Z`/`Etc/UTC`-style names all become `UTC`.
 */
export function canonicalZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    if (/^(etc\/)?(utc|uct|gmt|zulu|universal|greenwich)(0|[+-]0)?$/i.test(resolved)) return 'UTC';
    return ICU_LEGACY_NAMES[resolved] ?? resolved;
  } catch {
    return undefined;
  }
}

/** IANA tz database version bundled with the runtime (e.g. `2026c`), for health endpoints. */
export function tzdataVersion(): string {
  return process.versions.tz ?? 'unknown';
}
