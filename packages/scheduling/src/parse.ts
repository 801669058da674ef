import { formatUtc, resolveDateList, resolveStamp, stampZone } from './dates.js';
import type { EngineSpec } from './engine.js';
import { type RuleError, ruleError } from './errors.js';
import { type Property, parseProperty, splitLines } from './lines.js';
import type { ResolvedLimits } from './options.js';
import { formatRecur, hasByParts, parseRecur, type Recur } from './recur.js';
import { formatStamp, HOUR, parseStamp } from './wall.js';
import { canonicalZone, instantToWall, resolveWall } from './zone.js';

export interface RuleInput {
  /** `FREQ=...`, `RRULE:...` or DTSTART/RRULE/EXDATE/RDATE lines. */
  readonly text: string;
  /** IANA zone used when DTSTART has no TZID/Z. Default UTC. Contradicting a TZID is an error. */
  readonly timezone?: string;
  /** Creation time; becomes DTSTART (whole seconds) when the text has none. */
  readonly now: Date;
}

export interface ParsedRule extends EngineSpec {
  readonly text: string;
  readonly rdates: readonly number[];
  readonly exdates: ReadonlySet<number>;
  readonly warnings: readonly string[];
}

interface Grouped {
  dtstart?: Property;
  rrule?: Property;
  dates: Property[];
}

function group(props: Property[], errors: RuleError[]): Grouped {
  const g: Grouped = { dates: [] };
  for (const p of props) {
    if (p.name === 'DTSTART' || p.name === 'RRULE') {
      const key = p.name === 'DTSTART' ? 'dtstart' : 'rrule';
      if (g[key]) {
        const code = key === 'rrule' ? 'MULTIPLE_RRULE' : 'DUPLICATE_PROPERTY';
        errors.push(ruleError(code, `Only one ${p.name} line is allowed.`, p.raw));
      } else g[key] = p;
    } else if (p.name === 'EXDATE' || p.name === 'RDATE') g.dates.push(p);
    else if (p.name === 'EXRULE')
      errors.push(ruleError('EXRULE_UNSUPPORTED', 'EXRULE is deprecated; use EXDATE.', p.raw));
    else errors.push(ruleError('UNKNOWN_PROPERTY', `Unknown property ${p.name}.`, p.raw));
  }
  if (!g.rrule && errors.length === 0)
    errors.push(ruleError('MISSING_RRULE', 'The text needs an RRULE (FREQ=...).', ''));
  if (g.rrule?.params.size) errors.push(ruleError('UNKNOWN_PARAMETER', 'RRULE takes no parameters.', g.rrule.raw));
  return g;
}

function scheduleZone(input: RuleInput, errors: RuleError[]): string | undefined {
  if (input.timezone === undefined) return undefined;
  const zone = canonicalZone(input.timezone);
  if (!zone)
    errors.push(ruleError('UNKNOWN_TZID', `Unknown time zone "${input.timezone}".`, `timezone=${input.timezone}`));
  return zone;
}

interface Start {
  zone: string;
  wall: number;
  at: number;
}

function resolveStart(g: Grouped, input: RuleInput, limits: ResolvedLimits, errors: RuleError[]): Start | undefined {
  const fallback = scheduleZone(input, errors);
  if (!g.dtstart) {
    const zone = fallback ?? 'UTC';
    const at = Math.floor(input.now.getTime() / 1000) * 1000;
    return { zone, wall: instantToWall(zone, at), at };
  }
  const { zone: tzid, ok } = stampZone(g.dtstart, errors);
  if (!ok) return undefined;
  if (tzid && fallback && tzid !== fallback) {
    const msg = `DTSTART's TZID ${tzid} contradicts the schedule timezone ${fallback}.`;
    errors.push(ruleError('TZID_CONFLICT', msg, g.dtstart.raw));
    return undefined;
  }
  const r = resolveStamp(g.dtstart.value, tzid, fallback ?? 'UTC', g.dtstart, errors);
  if (!r) return undefined;
  if (r.at < limits.dtstartMin.getTime() || r.at >= limits.dtstartMax.getTime()) {
    const range = `${limits.dtstartMin.toISOString()} .. ${limits.dtstartMax.toISOString()}`;
    errors.push(ruleError('DTSTART_OUT_OF_RANGE', `DTSTART must lie within ${range}.`, g.dtstart.raw));
    return undefined;
  }
  return { zone: r.zone, wall: r.wall, at: r.at };
}

function resolveUntil(recur: Recur, start: Start, errors: RuleError[]): number | undefined {
  if (recur.until === undefined) return undefined;
  const stamp = parseStamp(recur.until);
  const part = `UNTIL=${recur.until}`;
  if (!stamp) {
    errors.push(ruleError('INVALID_DATE_TIME', `UNTIL "${recur.until}" is not a valid date or date-time.`, part));
    return undefined;
  }
  if (stamp.utc) return stamp.wall;
  // A DATE UNTIL means the end of that local day; a local DATE-TIME is read in DTSTART's zone.
  const wall = stamp.dateOnly ? stamp.wall + 24 * HOUR - 1000 : stamp.wall;
  return resolveWall(start.zone, wall).at;
}

function canonicalText(start: Start, recur: Recur, until: number | undefined, ex: number[], rd: number[]): string {
  const dt =
    start.zone === 'UTC'
      ? `DTSTART:${formatStamp(start.wall)}Z`
      : `DTSTART;TZID=${start.zone}:${formatStamp(start.wall)}`;
  const lines = [dt, `RRULE:${formatRecur(recur, until === undefined ? undefined : formatUtc(until))}`];
  if (ex.length > 0)
    lines.push(
      `EXDATE:${[...new Set(ex)]
        .sort((a, b) => a - b)
        .map(formatUtc)
        .join(',')}`,
    );
  if (rd.length > 0)
    lines.push(
      `RDATE:${[...new Set(rd)]
        .sort((a, b) => a - b)
        .map(formatUtc)
        .join(',')}`,
    );
  return lines.join('\n');
}

/** Syntax and static validation; semantic checks (occurrences exist, spacing) follow in compile. */
export function parseRule(input: RuleInput, limits: ResolvedLimits): { rule?: ParsedRule; errors: RuleError[] } {
  const errors: RuleError[] = [];
  if (input.text.length > limits.maxRuleLength) {
    const msg = `The rule text is ${input.text.length} characters; the limit is ${limits.maxRuleLength}.`;
    return { errors: [ruleError('RULE_TOO_LONG', msg, input.text.slice(0, 40))] };
  }
  const tokens = splitLines(input.text);
  if (tokens.length === 0) return { errors: [ruleError('RULE_EMPTY', 'The rule text is empty.', '')] };
  const props: Property[] = [];
  for (const token of tokens) {
    const p = parseProperty(token);
    if ('code' in p) errors.push(p);
    else props.push(p);
  }
  const g = group(props, errors);
  const start = resolveStart(g, input, limits, errors);
  const parsed = g.rrule ? parseRecur(g.rrule.value) : { errors: [] };
  errors.push(...parsed.errors);
  if (!start || !parsed.recur || errors.length > 0) return { errors };
  const recur = parsed.recur;
  const until = resolveUntil(recur, start, errors);
  const ex: number[] = [];
  const rd: number[] = [];
  for (const p of g.dates) (p.name === 'EXDATE' ? ex : rd).push(...resolveDateList(p, start.zone, errors));
  if (ex.length + rd.length > limits.maxDates) {
    errors.push(
      ruleError('OUT_OF_RANGE', `At most ${limits.maxDates} EXDATE/RDATE values are allowed.`, 'EXDATE/RDATE'),
    );
  }
  if (until !== undefined && until < start.at) {
    errors.push(ruleError('UNTIL_BEFORE_DTSTART', 'UNTIL lies before DTSTART.', `UNTIL=${recur.until}`));
  }
  if (errors.length > 0) return { errors };
  const warnings =
    recur.until !== undefined && !recur.until.endsWith('Z') ? [`UNTIL normalised to ${formatUtc(until ?? 0)}.`] : [];
  const sub = recur.freq === 'HOURLY' || recur.freq === 'MINUTELY' || recur.freq === 'SECONDLY';
  const rule: ParsedRule = {
    zone: start.zone,
    recur,
    dtstartWall: start.wall,
    dtstart: start.at,
    until,
    mode: sub && !hasByParts(recur) ? 'elapsed' : 'wall',
    text: canonicalText(start, recur, until, ex, rd),
    rdates: [...new Set(rd)].sort((a, b) => a - b),
    exdates: new Set(ex),
    warnings,
  };
  return { rule, errors };
}
