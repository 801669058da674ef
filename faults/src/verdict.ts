import type { CheckReport } from './checker/index.js';
import type { Check, Scenario } from './scenario.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "3 × paused, 1 × wrong callback url" */
function tally(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${n} × ${r}`)
    .join(', ');
}

/**
 * Why a scenario failed, one line each (none: it passed). The suite's invariants hold for every
 * scenario: nothing lost, nothing unexpected, no duplicate outside a fault window, every signature
 * valid, the database agreeing with the receiver; then the scenario's recovery goal and its own checks.
 */
export function verdict(
  scenario: Pick<Scenario, 'goal'>,
  report: CheckReport,
  { checks, onTime, lateAfterMs }: { checks: readonly Check[]; onTime: readonly string[]; lateAfterMs: number },
): string[] {
  const failures: string[] = [];
  if (report.lost.length > 0)
    failures.push(`${report.lost.length} lost (final status: ${tally(report.lost.map((l) => l.status))})`);
  if (report.unexpected.length > 0)
    failures.push(`${report.unexpected.length} unexpected (${tally(report.unexpected.map((u) => u.reason))})`);
  if (report.duplicates.unexcused > 0)
    failures.push(`${report.duplicates.unexcused} duplicates after success outside any fault window`);
  if (report.badSignatures > 0) failures.push(`${report.badSignatures} callbacks whose signature does not verify`);
  if (report.mismatches.length > 0)
    failures.push(
      `${report.mismatches.length} database/log disagreements (${tally(
        report.mismatches.map((m) => m.reason.replace(/\d+/g, 'N')),
      )})`,
    );
  if (scenario.goal)
    for (const r of report.recovery) {
      if (r.ms === null) failures.push(`never caught up after "${r.window}" (goal: ${scenario.goal.what})`);
      else if (r.ms > scenario.goal.recoveryMs)
        failures.push(`caught up ${seconds(r.ms)} after "${r.window}" ended (goal: ${scenario.goal.what})`);
    }
  for (const tenant of onTime) {
    const l = tenant === '*' ? report.lateness : report.latenessByTenant[tenant];
    const who = tenant === '*' ? '' : ` of tenant ${tenant}`;
    if (!l || l.count === 0) failures.push(`no delivery${who} to judge lateness by`);
    else if (l.late > 0)
      failures.push(`${l.late} deliveries${who} later than ${seconds(lateAfterMs)} (max ${seconds(l.maxMs ?? 0)})`);
  }
  for (const c of checks) if (!c.ok) failures.push(`${c.name}: ${c.detail}`);
  return failures;
}
