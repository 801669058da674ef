#!/usr/bin/env node
// Occurrences per second: this package vs the `rrule` npm package used naively (rrulestr with
// DTSTART;TZID, `between()` per call), side by side, for UTC and TZID rule mixes.
// Run: bash scripts/bench.sh rrule [--smoke]  (full ~1 min, smoke a few seconds; writes results
// unless --smoke or --no-write). Reads the built packages. rrule is measured under the process TZ;
// it is only correct with TZ=UTC, so bench.sh runs it with TZ=UTC (the script warns otherwise).
import { performance } from 'node:perf_hooks';
import { compileRule, tzdataVersion } from '@event-scheduler/scheduling';
import rrulePkg from 'rrule';
import { benchArgs, publish, table } from '../dist/lib/report.js';

const { rrulestr } = rrulePkg;
const { smoke, write } = benchArgs();
const SCHEDULES = smoke ? 20 : 200;
const MAX_DAYS_BACK = smoke ? 2 : 7;
const WINDOW_MS = 6 * 3_600_000;
const MIN_SAMPLE_MS = smoke ? 100 : 1000;
const WINDOW_START = Date.parse('2026-03-28T22:00:00Z'); // contains Europe's spring-forward

const SHAPES = [
  { tz: false, rule: 'FREQ=HOURLY' },
  { tz: false, rule: 'FREQ=MINUTELY;INTERVAL=15' },
  { tz: false, rule: 'FREQ=DAILY;BYHOUR=0,6,12,18' },
  { tz: false, rule: 'FREQ=MINUTELY;INTERVAL=5' },
  { tz: false, rule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR,SA,SU;BYHOUR=1,2,3;BYMINUTE=0,30' },
  { tz: 'America/New_York', rule: 'FREQ=DAILY;BYHOUR=9,21' },
  { tz: 'Europe/Berlin', rule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR,SA,SU;BYHOUR=1,2,3;BYMINUTE=0,30' },
  { tz: 'Asia/Kolkata', rule: 'FREQ=MINUTELY;INTERVAL=15' },
  { tz: 'Europe/Berlin', rule: 'FREQ=MINUTELY;INTERVAL=5' },
  { tz: 'Australia/Sydney', rule: 'FREQ=HOURLY;BYMINUTE=0,30' },
];

// Seeded so both engines get the same schedules every run.
let seed = 7;
function rand() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pad = (n) => String(n).padStart(2, '0');
function stamp(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
}

function schedules() {
  return Array.from({ length: SCHEDULES }, (_, i) => {
    const shape = SHAPES[i % SHAPES.length];
    const start = Math.floor((WINDOW_START - (0.2 + rand() * MAX_DAYS_BACK) * 86_400_000) / 60_000) * 60_000;
    const dt = shape.tz ? `DTSTART;TZID=${shape.tz}:${stamp(start)}` : `DTSTART:${stamp(start)}Z`;
    return { tz: Boolean(shape.tz), text: `${dt}\nRRULE:${shape.rule}` };
  });
}

function measure(label, items, expand) {
  const from = new Date(WINDOW_START);
  const to = new Date(WINDOW_START + WINDOW_MS);
  for (const item of items.slice(0, 10)) expand(item, from, to); // warm-up
  // Repeat fast engines until the sample is long enough to be stable; report one pass's count.
  let occurrences = 0;
  let passes = 0;
  const t0 = performance.now();
  do {
    occurrences = 0;
    for (const item of items) occurrences += expand(item, from, to);
    passes++;
  } while (performance.now() - t0 < MIN_SAMPLE_MS);
  const seconds = (performance.now() - t0) / 1000 / passes;
  return { label, occurrences, seconds, perSecond: occurrences / seconds };
}

const ours = (item, from, to) => item.compiled.between(from, to, 1000).length;
const naive = (item, from, to) => item.rrule.between(from, to, true).length;

function run(group, items) {
  const a = measure('scheduling', items, ours);
  const b = measure('rrule (naive)', items, naive);
  const fmt = (r) =>
    `${r.label.padEnd(14)} ${String(r.occurrences).padStart(7)} occ  ${r.seconds.toFixed(3).padStart(8)} s  ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)} occ/s`;
  console.log(
    `${group}\n  ${fmt(a)}\n  ${fmt(b)}\n  ratio scheduling/rrule: ${(a.perSecond / b.perSecond).toFixed(1)}x`,
  );
  if (a.occurrences !== b.occurrences) {
    console.log(`  note: occurrence counts differ (${a.occurrences} vs ${b.occurrences}); rrule mis-handles DST/TZ`);
  }
  return { group, ours: a, naive: b, ratio: a.perSecond / b.perSecond };
}

const now = new Date(WINDOW_START);
const all = schedules().map((s) => {
  const compiled = compileRule({ text: s.text, now }, { minIntervalSeconds: 60 });
  if (!compiled.ok) throw new Error(`${s.text}: ${JSON.stringify(compiled.errors)}`);
  return { ...s, compiled: compiled.rule, rrule: rrulestr(s.text) };
});
if (process.env.TZ !== 'UTC') console.log('warning: rrule is only correct with TZ=UTC; numbers still compare speed');
console.log(
  `node ${process.version}, tzdata ${tzdataVersion()}, ${SCHEDULES} schedules, DTSTART up to ${MAX_DAYS_BACK} days back, ${WINDOW_MS / 3_600_000} h window${smoke ? ' (smoke)' : ''}`,
);
const results = [
  run(
    'UTC rules',
    all.filter((s) => !s.tz),
  ),
  run(
    'TZID rules',
    all.filter((s) => s.tz),
  ),
];
if (!results.every((r) => r.ratio > 0)) process.exit(1);
const perSecond = (r) => Math.round(r.perSecond).toLocaleString('en-US');
const markdown = [
  `Occurrences computed per second, ${SCHEDULES} schedules (DTSTART up to ${MAX_DAYS_BACK} days back), a ${WINDOW_MS / 3_600_000} h window across Europe's spring-forward; tzdata ${tzdataVersion()}. Baseline: the \`rrule\` package used naively (\`rrulestr\` + \`between()\`, under TZ=UTC).`,
  '',
  table(
    ['rule mix', 'ours occ/s', 'rrule occ/s', 'ours / rrule', 'occurrences (ours / rrule)'],
    results.map((r) => [
      r.group,
      perSecond(r.ours),
      perSecond(r.naive),
      `${r.ratio.toFixed(1)}x`,
      `${r.ours.occurrences} / ${r.naive.occurrences}`,
    ]),
  ),
].join('\n');
console.log(`\n${markdown}`);
if (write) publish('rrule', results, markdown);
