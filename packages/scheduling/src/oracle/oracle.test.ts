import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { type CompiledRule, compileRule } from '../compile.js';
import type { Cursor } from '../plan.js';
import { oracleNotice, planOracle, ruleZones, type ZonedRule, zoneWindows } from './availability.js';
import { explainWeekDifferences } from './explain.js';
import { type OracleResult, runOracle } from './python.js';

interface CorpusRule extends ZonedRule {
  id: number;
  family: string;
  text: string;
  timezone?: string;
  rrule: string;
  elapsed?: boolean;
  weeklySetpos?: boolean;
}
interface Corpus {
  maxOccurrences: number;
  windowYears: number;
  rules: CorpusRule[];
}

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusPath = join(pkg, 'fixtures', 'oracle-corpus.json');
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as Corpus;
const DAY = 86_400_000;

const now = new Date('2026-11-29T00:00:00Z');

function window(rule: CompiledRule): [Date, Date] {
  const start = rule.dtstart.getTime();
  return [new Date(start - 10 * DAY), new Date(start + corpus.windowYears * 365 * DAY)];
}

/** The same occurrences through the cursor API, 7 at a time: proves COUNT survives resumption. */
function viaPlan(rule: CompiledRule, end: Date, max: number): string[] {
  const out: string[] = [];
  let cursor: Cursor | undefined;
  for (let i = 0; i < 100 && out.length < max; i++) {
    const r = rule.plan(cursor, end, 7);
    out.push(...r.occurrences.map((o) => o.at.toISOString()));
    cursor = r.cursor;
    if (r.occurrences.length < 7) break;
  }
  return out.slice(0, max);
}

describe('oracle: python-dateutil + zoneinfo on the generated corpus', () => {
  const plan = planOracle(zoneWindows(corpus.rules, corpus.windowYears));
  const comparable = corpus.rules.filter((r) => !ruleZones(r).some((z) => plan.skippedZones.has(z)));
  const skipped = corpus.rules.filter((r) => !comparable.includes(r));
  const notice = oracleNotice(plan, 'corpus rules', plan.oracle.available ? skipped.length : corpus.rules.length);
  if (notice) console.log(notice);
  const oracle: OracleResult = plan.oracle.available ? runOracle(plan.oracle, corpusPath) : {};
  const compare = plan.oracle.available ? it : it.skip;
  const stats = {
    rules: 0,
    compared: 0,
    occurrences: 0,
    rejected: 0,
    weeklySetposDiffs: 0,
    weekEdgeDays: 0,
    planChecked: 0,
  };

  it('covers the required shapes', () => {
    expect(corpus.rules.length).toBeGreaterThanOrEqual(300);
    const all = corpus.rules.map((r) => r.text).join('\n');
    for (const needle of [
      'FREQ=YEARLY',
      'FREQ=MONTHLY',
      'FREQ=WEEKLY',
      'FREQ=DAILY',
      'FREQ=HOURLY',
      'FREQ=MINUTELY',
      'FREQ=SECONDLY',
      'BYSETPOS=-',
      'BYSETPOS=1',
      'BYWEEKNO=',
      'WKST=',
      'BYYEARDAY=',
      'BYMONTHDAY=-',
      'BYMONTHDAY=29',
      'BYMONTHDAY=31',
      'INTERVAL=',
      'COUNT=',
      'UNTIL=',
      'EXDATE',
      'RDATE',
    ]) {
      expect({ needle, present: all.includes(needle) }).toEqual({ needle, present: true });
    }
    for (const zone of [
      'Europe/Berlin',
      'America/New_York',
      'America/Sao_Paulo',
      'Australia/Sydney',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'Pacific/Chatham',
      'Africa/Casablanca',
      'UTC',
    ]) {
      expect({ zone, rules: corpus.rules.filter((r) => r.zone === zone).length >= 10 }).toEqual({ zone, rules: true });
    }
  });

  compare('reads the same time zone data as Node where it claims the same release', () => {
    expect(plan.sameReleaseDifferences).toEqual([]);
  });

  compare.each(comparable.map((r) => [r.id, r] as const))('rule %i matches the oracle', (id, r) => {
    const expected = oracle[String(id)];
    const mode = r.elapsed ? 'elapsed' : r.weeklySetpos ? 'weekstart' : 'wall';
    const want = expected?.[mode];
    if (!Array.isArray(want)) throw new Error(`oracle failed for rule ${id}: ${JSON.stringify(want)}`);
    stats.rules++;
    // Correctness, not speed: the per-call time budget (tested in fuzz.test.ts) must not reject a
    // rule because the machine is busy.
    const compiled = compileRule(
      { text: r.text, now, ...(r.timezone ? { timezone: r.timezone } : {}) },
      { minIntervalSeconds: 1, maxCallMs: 60_000 },
    );
    if (!compiled.ok) {
      // Deliberate difference: rules that never (or too rarely) match are rejected, not expanded.
      const codes = compiled.errors.map((e) => e.code);
      expect(codes.every((c) => c === 'NO_OCCURRENCE' || c === 'TOO_RARE')).toBe(true);
      expect(want.length).toBeLessThan(3);
      stats.rejected++;
      return;
    }
    const [from, to] = window(compiled.rule);
    const got = compiled.rule.between(from, to, corpus.maxOccurrences).map((d) => d.toISOString());
    const local = (iso: string) => compiled.rule.describe(new Date(iso), new Date(iso), 1)[0]?.local ?? '';
    const explained = explainWeekDifferences(got, want, r.rrule, local);
    if (explained && explained.extra.length + explained.missing.length > 0) {
      // dateutil's BYWEEKNO error at a year boundary (see explain.ts); everything else agreed.
      stats.weekEdgeDays += explained.extra.length + explained.missing.length;
    } else {
      expect(got).toEqual(want);
    }
    stats.compared++;
    stats.occurrences += got.length;
    if (r.weeklySetpos && JSON.stringify(expected?.wall) !== JSON.stringify(want)) stats.weeklySetposDiffs++;
    expect(viaPlan(compiled.rule, to, corpus.maxOccurrences)).toEqual(got);
    stats.planChecked++;
  });
  if (skipped.length > 0) {
    it.skip.each(skipped.map((r) => [r.id, r.zone] as const))('rule %i (%s): tzdata differs, not compared', () => {});
  }

  compare('reports the totals', () => {
    // Printed so CI logs show what was compared; the per-rule tests above carry the assertions.
    const { oracle: o } = plan;
    const source = o.available ? `python=${o.python} dateutil=${o.dateutil} tzdata=${o.tzdata} (${o.tzpath})` : '';
    console.log(`oracle: ${JSON.stringify(stats)} ${source}`);
    expect(stats.compared + stats.rejected).toBe(comparable.length);
  });
});
