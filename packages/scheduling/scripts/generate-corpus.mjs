#!/usr/bin/env node
// Writes fixtures/oracle-corpus.json: a seeded, reproducible corpus of RRULEs for the
// python-dateutil oracle test. Re-run with `node scripts/generate-corpus.mjs [seed]`; the same
// seed and Node tzdata give the same file byte for byte.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = Number(process.argv[2] ?? 20261129);
const RULES = 360;
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'UTC',
  'Europe/London',
  'America/Los_Angeles',
];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

// mulberry32: tiny, seedable, good enough for test data.
let state = SEED >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[int(0, xs.length - 1)];
const chance = (p) => rand() < p;
function subset(xs, min, max) {
  const n = int(min, max);
  const pool = [...xs];
  const out = [];
  while (out.length < n && pool.length) out.push(pool.splice(int(0, pool.length - 1), 1)[0]);
  return out.sort((a, b) => xs.indexOf(a) - xs.indexOf(b));
}

const fmtCache = new Map();
function offsetAt(zone, ms) {
  let f = fmtCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    fmtCache.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}
/** Local dates (as UTC-midnight ms) on which the zone's offset changes, 2017-2027. */
function transitionDays(zone) {
  const out = [];
  for (let t = Date.UTC(2017, 0, 1); t < Date.UTC(2028, 0, 1); t += 86400000) {
    if (offsetAt(zone, t) !== offsetAt(zone, t + 86400000)) out.push(t + 86400000);
  }
  return out;
}
const TRANSITIONS = Object.fromEntries(ZONES.map((z) => [z, transitionDays(z)]));

const pad = (n, w = 2) => String(n).padStart(w, '0');
const stamp = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
};

function dtstartWall(zone) {
  const near = TRANSITIONS[zone];
  const day =
    near.length && chance(0.7) ? pick(near) + int(-6, 2) * 86400000 : Date.UTC(int(2017, 2026), int(0, 11), int(1, 28));
  const hour = chance(0.5) ? pick([0, 1, 2, 3]) : int(0, 23);
  const minute = pick([0, 0, 15, 30, 45, int(0, 59)]);
  return day + hour * 3600000 + minute * 60000 + (chance(0.1) ? int(1, 59) * 1000 : 0);
}

function timeParts(p) {
  if (chance(0.3)) p.push(`BYHOUR=${subset([...Array(24).keys()], 1, 3).join(',')}`);
  if (chance(0.25)) p.push(`BYMINUTE=${subset([0, 10, 15, 30, 45, 59], 1, 2).join(',')}`);
}

const FAMILIES = {
  daily(p) {
    p.push('FREQ=DAILY');
    if (chance(0.4)) p.push(`INTERVAL=${int(2, 4)}`);
    if (chance(0.2)) p.push(`BYDAY=${subset(DAYS, 1, 4).join(',')}`);
    if (chance(0.15))
      p.push(
        `BYMONTH=${subset(
          [...Array(12).keys()].map((m) => m + 1),
          2,
          6,
        ).join(',')}`,
      );
    timeParts(p);
  },
  weekly(p, meta) {
    p.push('FREQ=WEEKLY');
    if (chance(0.5)) p.push(`INTERVAL=${int(2, 3)}`);
    p.push(`BYDAY=${subset(DAYS, 1, 4).join(',')}`);
    if (chance(0.6)) p.push(`WKST=${pick(DAYS)}`);
    if (chance(0.3)) {
      p.push(`BYSETPOS=${pick([1, -1, 2, -2])}`);
      meta.weeklySetpos = true;
    }
    timeParts(p);
  },
  monthly(p) {
    p.push('FREQ=MONTHLY');
    if (chance(0.3)) p.push(`INTERVAL=${int(2, 5)}`);
    const k = int(0, 4);
    if (k === 0) p.push(`BYMONTHDAY=${subset([1, 2, 13, 15, 28, 29, 30, 31, -1, -2, -7, -31], 1, 3).join(',')}`);
    if (k === 1)
      p.push(
        `BYDAY=${subset(DAYS, 1, 2)
          .map((d) => `${pick([1, 2, 3, 4, -1, -2, 5, -5])}${d}`)
          .join(',')}`,
      );
    if (k === 2) p.push(`BYDAY=${subset(DAYS, 2, 5).join(',')};BYSETPOS=${subset([1, 2, 3, -1, -2], 1, 2).join(',')}`);
    if (k === 3) p.push(`BYDAY=${pick(DAYS)};BYMONTHDAY=${subset([13, 1, 7, 31, -1], 1, 2).join(',')}`);
    timeParts(p);
  },
  yearly(p, meta) {
    p.push('FREQ=YEARLY');
    const k = int(0, 5);
    if (k === 0) p.push(`BYMONTH=${pick([2, 2, 4, 1, 12])};BYMONTHDAY=${pick([29, 31, 30, -1, 1, 15])}`);
    if (k === 1)
      p.push(
        `BYWEEKNO=${subset([1, 2, 10, 26, 52, 53, -1, -2], 1, 2).join(',')};BYDAY=${subset(DAYS, 1, 3).join(',')};WKST=${pick(DAYS)}`,
      );
    if (k === 2) p.push(`BYYEARDAY=${subset([1, 32, 59, 60, 100, 200, 365, 366, -1, -100, -366], 1, 3).join(',')}`);
    if (k === 3) p.push(`BYMONTH=${subset([3, 10, 11, 4], 1, 2).join(',')};BYDAY=${pick([1, 2, -1, 4])}${pick(DAYS)}`);
    if (k === 4)
      p.push(`BYMONTH=${pick([1, 6, 12])};BYDAY=${subset(DAYS, 3, 5).join(',')};BYSETPOS=${pick([1, -1, 3, -3])}`);
    if (k !== 0 && chance(0.2)) p.push(`INTERVAL=${int(2, 3)}`);
    meta.sparse = k === 0 || k === 1;
    timeParts(p);
  },
  elapsed(p, meta) {
    const freq = pick(['HOURLY', 'MINUTELY', 'SECONDLY']);
    p.push(`FREQ=${freq}`);
    p.push(
      `INTERVAL=${{ HOURLY: int(1, 7), MINUTELY: pick([1, 5, 15, 30, 45, 90, 61]), SECONDLY: pick([60, 90, 3600, 7200, 45]) }[freq]}`,
    );
    meta.elapsed = true;
  },
  subdailyBy(p) {
    const k = int(0, 3);
    if (k === 0) p.push(`FREQ=HOURLY;BYMINUTE=${subset([0, 15, 30, 45], 1, 2).join(',')}`);
    if (k === 1)
      p.push(`FREQ=MINUTELY;INTERVAL=${pick([15, 20, 30])};BYHOUR=${subset([0, 1, 2, 3, 9, 23], 2, 3).join(',')}`);
    if (k === 2) p.push(`FREQ=HOURLY;INTERVAL=${pick([2, 3])};BYDAY=${subset(DAYS, 2, 5).join(',')}`);
    if (k === 3) p.push(`FREQ=SECONDLY;BYSECOND=0;BYMINUTE=0,30;BYHOUR=${subset([1, 2, 3, 12], 1, 2).join(',')}`);
  },
};
const FAMILY_WEIGHTS = [
  'daily',
  'daily',
  'weekly',
  'weekly',
  'monthly',
  'monthly',
  'yearly',
  'yearly',
  'elapsed',
  'subdailyBy',
];

function makeRule(id) {
  const zone = pick(ZONES);
  const family = pick(FAMILY_WEIGHTS);
  const meta = {};
  const parts = [];
  FAMILIES[family](parts, meta);
  const wall = dtstartWall(zone);
  const end = meta.sparse ? 'none' : pick(['count', 'count', 'until', 'none', 'none']);
  const count = end === 'count' && !meta.weeklySetpos ? int(1, 60) : undefined;
  let until;
  if (end === 'until' || (end === 'count' && meta.weeklySetpos)) {
    const untilWall = wall + int(1, 500) * 86400000 + int(-3, 3) * 3600000;
    until = chance(0.6)
      ? { value: `${stamp(untilWall - offsetAt(zone, untilWall))}Z`, tzid: null }
      : { value: stamp(untilWall), tzid: zone };
  }
  const dtForm = zone === 'UTC' && chance(0.5) ? 'Z' : chance(0.15) ? 'floating' : 'tzid';
  const exdates = [];
  const rdates = [];
  if (chance(0.3)) {
    for (let i = 0; i < int(1, 3); i++) {
      const w = wall + int(0, 20) * 86400000 * (family === 'weekly' ? 7 : 1);
      exdates.push(
        chance(0.5) ? { value: stamp(w), tzid: zone } : { value: `${stamp(w - offsetAt(zone, w))}Z`, tzid: null },
      );
    }
  }
  if (chance(0.25)) {
    for (let i = 0; i < int(1, 2); i++) {
      const other = pick(ZONES);
      rdates.push({ value: stamp(wall + int(-5, 60) * 86400000 + int(0, 23) * 3600000), tzid: other });
    }
  }
  const rrule = [...parts, ...(count ? [`COUNT=${count}`] : [])].join(';');
  return { id, family, zone, dtstart: stamp(wall), dtForm, rrule, until, exdates, rdates, ...meta };
}

/** Text as a user would write it (our parser input); the oracle builds its own objects from the fields. */
function toText(r) {
  const dt =
    r.dtForm === 'Z'
      ? `DTSTART:${r.dtstart}Z`
      : r.dtForm === 'floating'
        ? `DTSTART:${r.dtstart}`
        : `DTSTART;TZID=${r.zone}:${r.dtstart}`;
  const until = r.until ? `;UNTIL=${r.until.value}${r.until.tzid || r.until.value.endsWith('Z') ? '' : ''}` : '';
  const lines = [dt, `RRULE:${r.rrule}${until}`];
  const byZone = (list, name) => {
    const groups = new Map();
    for (const d of list) groups.set(d.tzid, [...(groups.get(d.tzid) ?? []), d.value]);
    for (const [tzid, values] of groups) lines.push(`${name}${tzid ? `;TZID=${tzid}` : ''}:${values.join(',')}`);
  };
  byZone(r.exdates, 'EXDATE');
  byZone(r.rdates, 'RDATE');
  return lines.join('\n');
}

const rules = Array.from({ length: RULES }, (_, i) => makeRule(i + 1)).map((r) => ({
  ...r,
  text: toText(r),
  timezone: r.dtForm === 'floating' ? r.zone : undefined,
}));
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oracle-corpus.json');
writeFileSync(out, `${JSON.stringify({ seed: SEED, maxOccurrences: 50, windowYears: 2, rules }, null, 1)}\n`);
console.log(`wrote ${rules.length} rules to ${out}`);
