import { type RuleError, ruleError } from './errors.js';
import type { Property } from './lines.js';
import { formatStamp, parseStamp, type WallMs } from './wall.js';
import { canonicalZone, resolveWall } from './zone.js';

/** A DTSTART/EXDATE/RDATE value resolved to an instant. */
export interface ResolvedStamp {
  readonly at: number;
  readonly wall: WallMs;
  readonly zone: string;
  readonly dateOnly: boolean;
}

const ALLOWED_PARAMS = new Set(['TZID', 'VALUE']);

/** Checks parameters and resolves the TZID (undefined = none given). */
export function stampZone(prop: Property, errors: RuleError[]): { zone?: string; ok: boolean } {
  for (const key of prop.params.keys()) {
    if (!ALLOWED_PARAMS.has(key)) {
      errors.push(ruleError('UNKNOWN_PARAMETER', `Parameter ${key} is not supported on ${prop.name}.`, prop.raw));
      return { ok: false };
    }
  }
  const value = prop.params.get('VALUE')?.toUpperCase();
  if (value !== undefined && value !== 'DATE' && value !== 'DATE-TIME') {
    const msg = `${prop.name};VALUE=${value} is not supported (only DATE-TIME${prop.name === 'DTSTART' ? ' or DATE' : ''}).`;
    errors.push(ruleError('VALUE_TYPE_MISMATCH', msg, prop.raw));
    return { ok: false };
  }
  const tzid = prop.params.get('TZID');
  if (tzid === undefined) return { ok: true };
  const zone = canonicalZone(tzid);
  if (!zone) {
    errors.push(
      ruleError('UNKNOWN_TZID', `Unknown time zone "${tzid}" (use an IANA name like Europe/Berlin).`, prop.raw),
    );
    return { ok: false };
  }
  return { zone, ok: true };
}

/**
 * Resolves one value: `...Z` is an instant; otherwise a wall time in `zone` (the value's own
 * TZID, else the rule's zone), with §3.3.5 gap/fold handling.
 */
export function resolveStamp(
  text: string,
  ownZone: string | undefined,
  ruleZone: string,
  prop: Property,
  errors: RuleError[],
): ResolvedStamp | undefined {
  const stamp = parseStamp(text);
  if (!stamp) {
    const msg = `"${text}" is not a valid date-time (YYYYMMDDTHHMMSS, optionally with Z) or date (YYYYMMDD).`;
    errors.push(ruleError('INVALID_DATE_TIME', msg, prop.raw));
    return undefined;
  }
  if (stamp.utc && ownZone !== undefined) {
    errors.push(ruleError('TZID_WITH_Z', `"${text}" ends in Z but ${prop.name} also has a TZID; use one.`, prop.raw));
    return undefined;
  }
  if (stamp.utc) return { at: stamp.wall, wall: stamp.wall, zone: 'UTC', dateOnly: false };
  const zone = ownZone ?? ruleZone;
  return { at: resolveWall(zone, stamp.wall).at, wall: stamp.wall, zone, dateOnly: stamp.dateOnly };
}

/** EXDATE/RDATE: comma-separated DATE-TIME values; DATE values and PERIODs are rejected. */
export function resolveDateList(prop: Property, ruleZone: string, errors: RuleError[]): number[] {
  const { zone, ok } = stampZone(prop, errors);
  if (!ok) return [];
  if (prop.params.get('VALUE')?.toUpperCase() === 'DATE') {
    errors.push(
      ruleError('VALUE_TYPE_MISMATCH', `${prop.name};VALUE=DATE cannot apply to a DATE-TIME rule.`, prop.raw),
    );
    return [];
  }
  const out: number[] = [];
  for (const item of prop.value.split(',')) {
    if (item.includes('/')) {
      errors.push(ruleError('VALUE_TYPE_MISMATCH', `${prop.name} periods are not supported.`, prop.raw));
      return [];
    }
    const r = resolveStamp(item, zone, ruleZone, prop, errors);
    if (r?.dateOnly) {
      errors.push(ruleError('VALUE_TYPE_MISMATCH', `${prop.name} value ${item} is a DATE; give a time.`, prop.raw));
      return [];
    }
    if (r) out.push(r.at);
  }
  return out;
}

export const formatUtc = (at: number): string => `${formatStamp(at)}Z`;
