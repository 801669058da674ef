import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { type CompiledRule, compileRule } from '../compile.js';
import type { Cursor } from '../plan.js';
import { oracleNotice, planOracle, ruleZones, type ZonedRule, zoneWindows } from './availability.js';
import { explainWeekDifferences } from './explain.js';
import { runOracle } from './python.js';

/**
 * Rare rule parts where rrule-temporal 2.2.8 read RFC 5545 differently (issue 16): ±53 ordinal
 * weekdays, BYYEARDAY limited by BYDAY, BYWEEKNO with DTSTART in the previous year's last week.
 * `expected` is python-dateutil's answer, except where dateutil is wrong at a year boundary: there
 * `dateutil` holds its answer, and the ISO week calendar must explain every differing day.
 */
interface RareRule extends ZonedRule {
  id: string;
  note: string;
  dtForm: 'Z' | 'tzid';
  rrule: string;
  until?: { value: string; tzid: string | null };
  expected: string[];
  dateutil?: string[];
}
interface RareCorpus {
  maxOccurrences: number;
  windowYears: number;
  rules: RareRule[];
}

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusPath = join(pkg, 'fixtures', 'oracle-rare-parts.json');
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as RareCorpus;
const now = new Date('2026-11-29T00:00:00Z');
const DAY = 86_400_000;

function compile(r: RareRule): CompiledRule {
  const dtstart = r.dtForm === 'Z' ? `DTSTART:${r.dtstart}Z` : `DTSTART;TZID=${r.zone}:${r.dtstart}`;
  const until = r.until ? `;UNTIL=${r.until.value}` : '';
  const result = compileRule({ text: `${dtstart}\nRRULE:${r.rrule}${until}`, now }, { minIntervalSeconds: 1 });
  if (!result.ok) throw new Error(`${r.id}: ${JSON.stringify(result.errors)}`);
  return result.rule;
}

function expand(rule: CompiledRule): string[] {
  const start = rule.dtstart.getTime();
  const [from, to] = [new Date(start - 10 * DAY), new Date(start + corpus.windowYears * 365 * DAY)];
  return rule.between(from, to, corpus.maxOccurrences).map((d) => d.toISOString());
}

/** The same through `plan()` cursors, 3 at a time, so COUNT and anchors are exercised too. */
function viaPlan(rule: CompiledRule): string[] {
  const end = new Date(rule.dtstart.getTime() + corpus.windowYears * 365 * DAY);
  const out: string[] = [];
  let cursor: Cursor | undefined;
  for (let i = 0; i < 20 && out.length < corpus.maxOccurrences; i++) {
    const r = rule.plan(cursor, end, 3);
    out.push(...r.occurrences.map((o) => o.at.toISOString()));
    cursor = r.cursor;
    if (r.occurrences.length < 3) break;
  }
  return out.slice(0, corpus.maxOccurrences);
}

const local = (rule: CompiledRule) => (iso: string) => rule.describe(new Date(iso), new Date(iso), 1)[0]?.local ?? '';

describe('rare rule parts (issue 16): the RFC 5545 reading', () => {
  it.each(corpus.rules.map((r) => [r.id, r] as const))('%s', (_id, r) => {
    const rule = compile(r);
    expect(expand(rule)).toEqual(r.expected);
    expect(viaPlan(rule)).toEqual(r.expected);
  });

  const wrong = corpus.rules.filter((r) => r.dateutil);
  it.each(wrong.map((r) => [r.id, r] as const))(
    '%s: dateutil differs only where ISO weeks prove it wrong',
    (_id, r) => {
      const rule = compile(r);
      const explained = explainWeekDifferences(r.expected, r.dateutil ?? [], r.rrule, local(rule));
      expect(explained).toBeDefined();
      expect((explained?.extra.length ?? 0) + (explained?.missing.length ?? 0)).toBeGreaterThan(0);
    },
  );

  it('BYWEEKNO without BYDAY takes the weekday from DTSTART (dateutil would give all seven days)', () => {
    const result = compileRule({ text: 'DTSTART:20270101T090000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=-1', now });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const got = result.rule.between(new Date('2026-12-01'), new Date('2030-01-01'), 10).map((d) => d.toISOString());
    // 2027-01-01 is a Friday in ISO 2026-W53, the last week: DTSTART itself comes first.
    expect(got).toEqual([
      '2027-01-01T09:00:00.000Z',
      '2027-12-31T09:00:00.000Z',
      '2028-12-29T09:00:00.000Z',
      '2029-12-28T09:00:00.000Z',
    ]);
  });
});

describe('rare rule parts: python-dateutil gives the pinned answers', () => {
  const plan = planOracle(zoneWindows(corpus.rules, corpus.windowYears));
  const comparable = corpus.rules.filter((r) => !ruleZones(r).some((z) => plan.skippedZones.has(z)));
  const notice = oracleNotice(
    plan,
    'rare-part rules',
    plan.oracle.available ? corpus.rules.length - comparable.length : corpus.rules.length,
  );
  if (notice) console.log(notice);
  const results = plan.oracle.available ? runOracle(plan.oracle, corpusPath) : {};
  const compare = plan.oracle.available ? it : it.skip;

  compare.each(comparable.map((r) => [r.id, r] as const))('%s', (id, r) => {
    expect(results[id]?.wall).toEqual(r.dateutil ?? r.expected);
  });
});
