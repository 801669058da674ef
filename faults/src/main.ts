/**
 * The fault-injection suite (issue 15).
 *   node faults/dist/main.js                 every scenario, FAULTS_JOBS at a time; prints the table
 *   node faults/dist/main.js --only a,b      those scenarios
 *   node faults/dist/main.js --list          the scenarios and what each proves (--list-markdown: as a table)
 *   ... --markdown <file>                    also write the table as Markdown
 *   ... --publish docs/reliability.md        also put the table and the scenario list in its marked sections
 * Exits 1 when any scenario fails, 64 on bad arguments or settings. Settings: faults/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KNOWN_FAILURES } from './known-failures.js';
import { publish, scenariosTable } from './publish.js';
import { runScenario, type ScenarioResult } from './run.js';
import type { Scenario } from './scenario.js';
import { SCENARIOS, scenarioNamed } from './scenarios/index.js';
import { loadSettings, SettingsError, type SuiteSettings } from './settings.js';
import { portBlock } from './stack/ports.js';
import { startPostgres } from './stack/postgres.js';
import { details, markdownTable, textTable } from './table.js';

/** A scenario that runs longer than this is killed and reported as crashed. */
const CHILD_DEADLINE_MS = 15 * 60_000;

function usage(message: string): never {
  process.stderr.write(`faults: ${message}\n`);
  process.exit(64);
}

function argument(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) usage(`${name} needs a value`);
  return value;
}

function crashed(scenario: Scenario, why: string, durationMs: number): ScenarioResult {
  return {
    name: scenario.name,
    fault: scenario.fault,
    defect: scenario.defect ?? null,
    goalMs: scenario.goal?.recoveryMs ?? null,
    passed: false,
    failures: [why],
    report: null,
    checks: [],
    notes: [],
    faults: [],
    durationMs,
    dir: null,
  };
}

/** Runs one scenario in a child process of its own (its receiver and timers undisturbed by the others). */
function runChild(scenario: Scenario, runId: string, resultFile: string): Promise<ScenarioResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        fileURLToPath(import.meta.url),
        '--child',
        scenario.name,
        '--run-id',
        runId,
        '--result',
        resultFile,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const timer = setTimeout(() => child.kill('SIGTERM'), CHILD_DEADLINE_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as ScenarioResult);
      } catch {
        resolve(
          crashed(scenario, `the scenario's process ended (${code ?? signal}) without a result`, Date.now() - started),
        );
      }
    });
  });
}

/** Keeps the newest `keep` run directories (a failing scenario leaves its data and logs there). */
function pruneRuns(workDir: string, keep: number): void {
  if (!existsSync(workDir)) return;
  const runs = readdirSync(workDir)
    .filter((name) => /^\d{4}-\d\d-\d\dT/.test(name))
    .sort()
    .reverse();
  for (const old of runs.slice(keep)) rmSync(join(workDir, old), { recursive: true, force: true });
}

async function runAll(
  scenarios: readonly Scenario[],
  settings: SuiteSettings,
  { markdown, publishTo }: { markdown?: string; publishTo?: string },
) {
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  pruneRuns(settings.workDir, 4);
  const runDir = join(settings.workDir, runId);
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  process.stderr.write(
    `faults: ${scenarios.length} scenarios, ${settings.jobs} at a time, services from ${settings.appsRoot}, FerretDB on ${settings.database}; run ${runDir}\n`,
  );
  // One private PostgreSQL for the run (a database per scenario in it), when FerretDB uses it.
  const postgres =
    settings.database === 'postgresql' && settings.postgresBin
      ? await startPostgres({ dir: runDir, bin: settings.postgresBin, port: await portBlock(SCENARIOS.length)() })
      : undefined;
  if (postgres) process.env.FAULTS_POSTGRES_URL = postgres.url;
  const results = new Map<string, ScenarioResult>();
  // Longest first, so the parallel lanes end together.
  const queue = [...scenarios].sort(
    (a, b) => (b.estimateS?.(settings.durations) ?? 0) - (a.estimateS?.(settings.durations) ?? 0),
  );
  const lane = async () => {
    for (let s = queue.shift(); s; s = queue.shift())
      results.set(s.name, await runChild(s, runId, join(runDir, `${s.name}.result.json`)));
  };
  await Promise.all(Array.from({ length: Math.min(settings.jobs, queue.length) }, lane));
  await postgres?.stop();
  // The scenarios' databases: kept for a look at a failure, else gone with the server.
  if (postgres && [...results.values()].every((r) => r.passed) && !settings.keep)
    for (const path of [join(runDir, 'postgres'), postgres.dataDir]) rmSync(path, { recursive: true, force: true });
  const ordered = scenarios.map((s) => results.get(s.name)).filter((r): r is ScenarioResult => r !== undefined);
  const failed = ordered.filter((r) => !r.passed);
  const unknown = failed.filter((r) => !KNOWN_FAILURES[r.name]);
  const summary = `${ordered.length - failed.length} passed, ${failed.length} failed (${failed.length - unknown.length} of them known failures, faults/src/known-failures.ts) in ${((Date.now() - started) / 1000).toFixed(0)} s`;
  const text = `${textTable(ordered)}\n\n${details(ordered)}\n\n${summary}\n`;
  process.stdout.write(`\n${text}`);
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(ordered, null, 2));
  writeFileSync(join(runDir, 'results.txt'), text);
  if (markdown) writeFileSync(markdown, `${markdownTable(ordered)}\n`);
  if (publishTo)
    publish(publishTo, { results: ordered, scenarios: SCENARIOS, settings, seconds: (Date.now() - started) / 1000 });
  process.exit(failed.length > 0 ? 1 : 0);
}

async function main() {
  const args = process.argv.slice(2);
  let settings: SuiteSettings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) usage(error.message);
    throw error;
  }
  const child = argument(args, '--child');
  if (child) {
    const scenario = scenarioNamed(child) ?? usage(`unknown scenario ${child}`);
    const result = await runScenario(scenario, settings, {
      runId: argument(args, '--run-id') ?? 'manual',
      index: SCENARIOS.indexOf(scenario),
    });
    writeFileSync(argument(args, '--result') ?? usage('--result is required with --child'), JSON.stringify(result));
    process.exit(0);
  }
  if (args.includes('--list-markdown')) {
    process.stdout.write(`${scenariosTable(SCENARIOS)}\n`);
    return;
  }
  if (args.includes('--list')) {
    for (const s of SCENARIOS)
      process.stdout.write(
        `${s.name.padEnd(24)} ${s.fault}${s.defect ? ` [defect ${s.defect}]` : ''}\n${' '.repeat(25)}${s.proves}\n`,
      );
    return;
  }
  const only = argument(args, '--only');
  const names = only ? only.split(',').map((n) => n.trim()) : SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !scenarioNamed(n));
  if (unknown.length > 0) usage(`unknown scenario ${unknown.join(', ')}; --list shows them`);
  await runAll(
    names.map((n) => scenarioNamed(n) as Scenario),
    settings,
    { markdown: argument(args, '--markdown'), publishTo: argument(args, '--publish') },
  );
}

await main();
