import { findOracle, type Oracle } from './python.js';
import { type ZoneDifference, zonesThatDiffer } from './tzdata-check.js';

/**
 * What an oracle test file can compare, decided once per file:
 * - no oracle (no Python with python-dateutil): every comparison is skipped, visibly, with the
 *   reason; unless ORACLE_REQUIRED=1 (set by scripts/test.sh once it provisioned the oracle),
 *   which makes a missing oracle a failure instead;
 * - the oracle reads another tzdata release than Node: zones whose offsets differ between the
 *   two within the compared window are skipped, with a one-line notice; the rest is compared;
 * - the same release: everything is compared, and any zone difference is a failure (reported
 *   by the test file as `sameReleaseDifferences`).
 */
export interface OraclePlan {
  readonly oracle: Oracle;
  readonly nodeTzdata: string;
  /** Zones left out because the two tzdata releases differ there. */
  readonly skippedZones: ReadonlySet<string>;
  /** Differences found although both claim the same release (a broken private zoneinfo). */
  readonly sameReleaseDifferences: readonly ZoneDifference[];
}

export function planOracle(windows: ReadonlyMap<string, [Date, Date]>): OraclePlan {
  const oracle = findOracle();
  const nodeTzdata = process.versions.tz ?? 'unknown';
  if (!oracle.available) {
    if (process.env.ORACLE_REQUIRED === '1') {
      throw new Error(`ORACLE_REQUIRED=1 (the oracle was provisioned) but it cannot be used: ${oracle.reason}`);
    }
    return { oracle, nodeTzdata, skippedZones: new Set(), sameReleaseDifferences: [] };
  }
  const differences = zonesThatDiffer(oracle, windows);
  if (oracle.tzdata === nodeTzdata) {
    return { oracle, nodeTzdata, skippedZones: new Set(), sameReleaseDifferences: differences };
  }
  return { oracle, nodeTzdata, skippedZones: new Set(differences.map((d) => d.zone)), sameReleaseDifferences: [] };
}

/** The one line a test file prints about what it could not compare, or undefined. */
export function oracleNotice(plan: OraclePlan, what: string, skipped: number): string | undefined {
  const { oracle } = plan;
  if (!oracle.available) return `oracle unavailable (${oracle.reason}): ${skipped} ${what} skipped`;
  if (oracle.tzdata === plan.nodeTzdata) return undefined;
  const zones = [...plan.skippedZones].join(', ');
  const mismatch = `oracle tzdata ${oracle.tzdata} (${oracle.tzpath}) is not Node's ${plan.nodeTzdata}`;
  return zones
    ? `${mismatch}: ${skipped} ${what} in zones whose offsets differ (${zones}) skipped, the rest compared`
    : `${mismatch}, but they agree on every zone compared here: nothing skipped`;
}

/** A corpus rule as far as zones go: its own zone and the TZIDs of its dates. */
export interface ZonedRule {
  readonly zone: string;
  readonly dtstart: string;
  readonly until?: { readonly tzid: string | null } | null;
  readonly exdates?: readonly { readonly tzid: string | null }[];
  readonly rdates?: readonly { readonly tzid: string | null }[];
}

/** Every zone a rule's instants depend on. */
export function ruleZones(r: ZonedRule): string[] {
  const dated = [r.until, ...(r.exdates ?? []), ...(r.rdates ?? [])].map((d) => d?.tzid);
  return [...new Set([r.zone, ...dated.filter((z): z is string => typeof z === 'string')])];
}

/** The window of instants each zone is compared over: every rule's DTSTART to `years` after. */
export function zoneWindows(rules: readonly ZonedRule[], years: number) {
  const windows = new Map<string, [Date, Date]>();
  const DAY = 86_400_000;
  for (const r of rules) {
    const s = r.dtstart;
    const at = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
    for (const zone of ruleZones(r)) {
      const [from, to] = windows.get(zone) ?? [new Date(at), new Date(at)];
      windows.set(zone, [
        new Date(Math.min(from.getTime(), at - 30 * DAY)),
        new Date(Math.max(to.getTime(), at + (years * 365 + 30) * DAY)),
      ]);
    }
  }
  return windows;
}
