import { type OracleInfo, oracleOffsets } from './python.js';

/**
 * Which zones the oracle's tzdata and Node's ICU tzdata disagree on within a window, found
 * independently of the engine's zone layer: plain Intl offsets at weekly samples and at every
 * transition Intl shows (bisected to the second), compared with zoneinfo's offsets there.
 */

const WEEK_S = 7 * 86_400;
const formatters = new Map<string, Intl.DateTimeFormat>();

function intlOffset(zone: string, epochS: number): number {
  let f = formatters.get(zone);
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
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(epochS * 1000)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second) / 1000 - epochS;
}

/** Sample instants: weekly, plus the second before and at each transition Intl shows. */
function samples(zone: string, fromS: number, toS: number): number[] {
  const out: number[] = [];
  for (let t = fromS; t < toS; t += WEEK_S) {
    out.push(t);
    if (intlOffset(zone, t) === intlOffset(zone, t + WEEK_S)) continue;
    let lo = t;
    let hi = t + WEEK_S;
    const before = intlOffset(zone, lo);
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (intlOffset(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    out.push(lo, hi);
  }
  return out;
}

export interface ZoneDifference {
  readonly zone: string;
  /** First instant (ISO) where the two disagree, with both offsets in seconds. */
  readonly at: string;
  readonly node: number;
  readonly oracle: number;
}

/** Zones (within [from, to]) on which the oracle's tzdata differs from Node's. */
export function zonesThatDiffer(oracle: OracleInfo, windows: ReadonlyMap<string, [Date, Date]>): ZoneDifference[] {
  const probe: Record<string, number[]> = {};
  for (const [zone, [from, to]] of windows) {
    if (zone !== 'UTC') probe[zone] = samples(zone, Math.floor(from.getTime() / 1000), Math.ceil(to.getTime() / 1000));
  }
  const theirs = oracleOffsets(oracle, probe);
  const out: ZoneDifference[] = [];
  for (const [zone, instants] of Object.entries(probe)) {
    const i = instants.findIndex((t, k) => theirs[zone]?.[k] !== intlOffset(zone, t));
    const t = instants[i];
    if (t === undefined) continue;
    const at = new Date(t * 1000).toISOString();
    out.push({ zone, at, node: intlOffset(zone, t), oracle: theirs[zone]?.[i] ?? Number.NaN });
  }
  return out;
}
