import { type RuleError, ruleError } from './errors.js';

/** One content line, e.g. `EXDATE;TZID=Europe/Berlin:20250102T090000,20250103T090000`. */
export interface Property {
  /** Upper-cased property name; a bare `FREQ=...` line is reported as `RRULE`. */
  readonly name: string;
  /** Upper-cased parameter names; values keep their case (TZIDs are resolved later). */
  readonly params: ReadonlyMap<string, string>;
  readonly value: string;
  /** The line as written, for error messages. */
  readonly raw: string;
}

const PROPERTY_START = /^(DTSTART|RRULE|EXRULE|EXDATE|RDATE|FREQ)[;:=]/i;

/**
 * Splits the text into content lines. Line endings may be CRLF, LF or CR; blank lines and
 * surrounding whitespace are ignored; values never contain spaces, so a single line with
 * space-separated properties also works. RFC 5545 line folding (a line starting with one space or
 * tab continues the previous line) is honoured unless the continuation itself starts a property,
 * which keeps indented multi-line input working.
 */
export function splitLines(text: string): string[] {
  const physical = text.split(/\r\n|\r|\n/);
  const logical: string[] = [];
  for (const line of physical) {
    const continuation = /^[ \t]/.test(line) && !PROPERTY_START.test(line.trim());
    if (continuation && logical.length > 0 && line.trim() !== '') {
      logical[logical.length - 1] += line.slice(1);
    } else {
      logical.push(line);
    }
  }
  return logical.flatMap((line) => line.split(/\s+/)).filter((token) => token !== '');
}

function parseParams(segments: string[], raw: string): { params: Map<string, string>; error?: RuleError } {
  const params = new Map<string, string>();
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq <= 0) return { params, error: ruleError('SYNTAX', `Malformed parameter "${segment}".`, raw) };
    const key = segment.slice(0, eq).toUpperCase();
    const value = segment.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    if (params.has(key)) {
      return { params, error: ruleError('SYNTAX', `Parameter ${key} is given twice.`, raw) };
    }
    params.set(key, value);
  }
  return { params };
}

/** Parses one content line into name, parameters and value. */
export function parseProperty(raw: string): Property | RuleError {
  if (/^[A-Za-z-]+=/.test(raw)) return { name: 'RRULE', params: new Map(), value: raw, raw };
  const colon = raw.indexOf(':');
  if (colon <= 0) {
    return ruleError('SYNTAX', `Expected "NAME:value" or "FREQ=...", got "${raw}".`, raw);
  }
  const [name = '', ...paramSegments] = raw.slice(0, colon).split(';');
  const { params, error } = parseParams(paramSegments, raw);
  if (error) return error;
  return { name: name.toUpperCase(), params, value: raw.slice(colon + 1), raw };
}
