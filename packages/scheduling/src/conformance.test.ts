import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { compileRule } from './compile.js';
import { CASES, type ConformanceCase } from './conformance-cases.js';
import { CASES_2 } from './conformance-cases-2.js';

const ALL = [...CASES, ...CASES_2];
const iso = (s: string) => new Date(s).toISOString();

function run(c: ConformanceCase): { codes?: string[]; got?: string[]; text?: string } {
  const now = new Date(c.now ?? '2026-11-29T00:00:00Z');
  const input = { text: c.text, now, ...(c.timezone ? { timezone: c.timezone } : {}) };
  const result = compileRule(input, { minIntervalSeconds: c.minIntervalSeconds ?? 60 });
  if (!result.ok) return { codes: result.errors.map((e) => e.code) };
  const rule = result.rule;
  if (c.now) {
    const next = rule.next(now);
    return { got: next ? [next.toISOString()] : [], text: rule.text };
  }
  const [from, to] = c.window ?? ['1990-01-01T00:00Z', '2040-01-01T00:00Z'];
  const n = c.window ? 1000 : (c.expected?.length ?? 0);
  return { got: rule.between(new Date(from), new Date(to), n).map((d) => d.toISOString()), text: rule.text };
}

function check(c: ConformanceCase): void {
  const t0 = performance.now();
  const r = run(c);
  const ms = performance.now() - t0;
  if (c.error) {
    expect(r.codes).toContain(c.error);
  } else {
    expect(r.codes).toBeUndefined();
    expect(r.got).toEqual(c.expected?.map(iso));
    if (c.canonical) expect(r.text).toMatch(c.canonical);
  }
  // Generous under a loaded CI box; the note's budget is 100 ms for these.
  if (c.maxMs) expect(ms).toBeLessThan(c.maxMs * 5);
}

describe('conformance list (research note §9, cases 1-84)', () => {
  it('has every case once', () => {
    expect(ALL.map((c) => c.id)).toEqual(Array.from({ length: 84 }, (_, i) => i + 1));
  });
  it.each(ALL.map((c) => [c.id, c] as const))('case %i', (_id, c) => check(c));
});

describe('case 85: host time zone independence', () => {
  // Jest isolates process.env, so TZ cannot be switched in-process; the test script runs this
  // suite a second time under TZ=Pacific/Chatham. This guard keeps local-time APIs out of the code.
  it('never uses host-local Date APIs', () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const local =
      /\.(get|set)(FullYear|Month|Date|Day|Hours|Minutes|Seconds)\(|getTimezoneOffset|toLocale\w*String|new Date\(\d+,/;
    for (const file of sources) {
      expect({ file, uses: local.test(readFileSync(join(dir, file), 'utf8')) }).toEqual({ file, uses: false });
    }
  });
});
