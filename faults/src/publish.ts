import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ScenarioResult } from './run.js';
import type { Scenario } from './scenario.js';
import type { SuiteSettings } from './settings.js';
import { markdownTable, outcome } from './table.js';

/** The commit the services were built from, `-dirty` when its tree has changes. */
function commitOf(root: string): string {
  try {
    const sha = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim() ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

/** The scenarios as a Markdown table: what each fault proves, and its goal. */
export function scenariosTable(scenarios: readonly Scenario[]): string {
  const rows = scenarios.map(
    (s) =>
      `| \`${s.name}\` | ${s.fault}${s.defect ? ` (defect ${s.defect})` : ''} | ${s.goal?.what ?? '–'} | ${s.proves} |`,
  );
  return ['| scenario | fault | goal | what passing proves |', '|---|---|---|---|', ...rows].join('\n');
}

function replaceBetween(text: string, marker: string, body: string): string {
  const open = `<!-- ${marker} -->`;
  const close = `<!-- /${marker} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`publish: the file has no ${open} ... ${close} section`);
  return `${text.slice(0, start + open.length)}\n${body}\n${text.slice(end)}`;
}

/**
 * Writes the run's table (with the date, the commit tested, the settings that shape it, and why
 * each scenario failed) and the scenario list into the marked sections of a Markdown file
 * (docs/reliability.md).
 */
export function publish(
  file: string,
  {
    results,
    scenarios,
    settings,
    seconds,
  }: { results: readonly ScenarioResult[]; scenarios: readonly Scenario[]; settings: SuiteSettings; seconds: number },
): void {
  const failed = results.filter((r) => !r.passed);
  const why = failed.map(
    (r) => `- \`${r.name}\`: ${outcome(r)}. ${r.failures.map((f) => f.split('\n')[0]).join('; ')}.`,
  );
  const latest = [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC against commit \`${commitOf(settings.appsRoot)}\`, ` +
      `${settings.jobs} scenarios at a time, FerretDB on ${settings.database}, ${settings.schedules} schedules a load, ` +
      `observed ${settings.durations.runS} s, late after ${settings.lateAfterMs / 1000} s; ${results.length - failed.length} passed, ` +
      `${failed.length} failed, in ${Math.round(seconds / 60)} min.`,
    '',
    markdownTable(results),
    '',
    ...(why.length > 0 ? ['Why each failed:', '', ...why] : []),
  ].join('\n');
  let text = readFileSync(file, 'utf8');
  text = replaceBetween(text, 'faults:table', latest);
  text = replaceBetween(text, 'faults:scenarios', scenariosTable(scenarios));
  writeFileSync(file, text);
}
