import { KNOWN_FAILURES } from './known-failures.js';
import type { ScenarioResult } from './run.js';

const HEADER = ['fault', 'expected', 'delivered', 'lost', 'duplicated', 'unexpected', 'recovery', 'result'];

function recovery(result: ScenarioResult): string {
  const windows = result.report?.recovery ?? [];
  if (windows.length === 0) return '–';
  if (windows.some((w) => w.ms === null)) return 'never';
  return `${(Math.max(...windows.map((w) => w.ms ?? 0)) / 1000).toFixed(1)} s`;
}

/** PASS, FAIL, and whether that was expected against the code the suite was written for. */
export function outcome(result: ScenarioResult): string {
  const known = KNOWN_FAILURES[result.name];
  if (result.passed) return known ? 'PASS (listed as a known failure: fixed? remove it)' : 'PASS';
  return known ? `FAIL (known: ${known})` : 'FAIL';
}

function row(result: ScenarioResult): string[] {
  const r = result.report;
  if (!r) return [result.fault, '–', '–', '–', '–', '–', '–', outcome(result)];
  const dups =
    r.duplicates.unexcused > 0
      ? `${r.duplicates.total} (${r.duplicates.unexcused} outside faults)`
      : String(r.duplicates.total);
  const delivered = r.failed > 0 ? `${r.delivered} (+${r.failed} failed by design)` : String(r.delivered);
  return [
    result.defect ? `${result.fault} [defect ${result.defect}]` : result.fault,
    String(r.expected),
    delivered,
    String(r.lost.length),
    dups,
    String(r.unexpected.length),
    recovery(result),
    outcome(result),
  ];
}

/** The table as aligned text, for the terminal. */
export function textTable(results: readonly ScenarioResult[]): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The table as Markdown, for docs/reliability.md. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const cells = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    cells(HEADER),
    `|${HEADER.map((_, i) => (i === 0 || i === 7 ? '---' : '---:')).join('|')}|`,
    ...results.map((r) => cells(row(r))),
  ].join('\n');
}

/** Why each failing scenario failed, and the notes each one made. */
export function details(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const lines = [...r.failures.map((f) => `  ✗ ${f}`), ...r.notes.map((n) => `  · ${n}`)];
    const lateness = r.report?.lateness;
    if (lateness?.count)
      lines.push(
        `  · lateness of first deliveries: p50 ${lateness.p50Ms} ms, p99 ${lateness.p99Ms} ms, max ${lateness.maxMs} ms`,
      );
    for (const [tenant, l] of Object.entries(r.report?.latenessByTenant ?? {}))
      if (Object.keys(r.report?.latenessByTenant ?? {}).length > 1)
        lines.push(`  · tenant ${tenant}: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms`);
    if (r.dir) lines.push(`  · logs and data: ${r.dir}`);
    out.push(`${r.name}: ${outcome(r)} (${(r.durationMs / 1000).toFixed(0)} s)`, ...lines);
  }
  return out.join('\n');
}
