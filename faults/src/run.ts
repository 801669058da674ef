import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus } from './api/client.js';
import { Ledger } from './api/ledger.js';
import { type CheckReport, check, DEFAULT_CHECK_OPTIONS, type FaultWindow, type FinalEvent } from './checker/index.js';
import { collectEvents, drain, pendingEvents } from './collect.js';
import { type Receiver, startReceiver } from './receiver/receiver.js';
import { type Check, createContext, inLanes, type Scenario, type ScenarioContext } from './scenario.js';
import type { SuiteSettings } from './settings.js';
import { portBlock } from './stack/ports.js';
import { createDatabase, startPostgres } from './stack/postgres.js';
import { sleep } from './stack/process.js';
import { type Stack, startStack } from './stack/stack.js';
import { verdict } from './verdict.js';

export interface ScenarioResult {
  name: string;
  fault: string;
  defect: number | null;
  goalMs: number | null;
  passed: boolean;
  /** Why it failed, one line each. */
  failures: string[];
  report: CheckReport | null;
  checks: Check[];
  notes: string[];
  faults: FaultWindow[];
  durationMs: number;
  /** The scenario's directory (data and service logs), when kept. */
  dir: string | null;
}

interface PostgresDatabase {
  url: string;
  stop(): Promise<void>;
  /** The data directory of a server of the scenario's own (null on the run's shared one). */
  dataDir: string | null;
}

/**
 * The scenario's database on the suite's private PostgreSQL (main starts one for the whole run
 * and passes FAULTS_POSTGRES_URL), or on a server of its own; undefined with FAULTS_DATABASE=sqlite.
 */
async function postgresFor(scenario: Scenario, settings: SuiteSettings, dir: string, port: () => Promise<number>) {
  if (settings.database !== 'postgresql' || !settings.postgresBin) return undefined;
  const name = `faults_${scenario.name.replace(/-/g, '_')}`;
  const shared = process.env.FAULTS_POSTGRES_URL;
  if (shared) {
    await createDatabase(settings.postgresBin, shared, name);
    return { url: `${shared}/${name}`, stop: async () => undefined, dataDir: null };
  }
  const own = await startPostgres({ dir, bin: settings.postgresBin, port: await port() });
  await own.createDatabase(name);
  return { url: `${own.url}/${name}`, stop: own.stop, dataDir: own.dataDir };
}

function progress(name: string, started: number) {
  return (message: string) =>
    process.stderr.write(`[${name} +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

async function fetchSecrets(stack: Stack, setSecret: (tenant: string, secret: string) => void) {
  for (const tenant of stack.api.tenants()) {
    const body = expectStatus(
      await stack.api.call<{ secret: string }>('GET', '/api/signing-secret', { tenant }),
      `signing secret of ${tenant}`,
      200,
    );
    setSecret(tenant, body.secret);
  }
}

/**
 * A service that died on its own (those the scenario killed, it restarted) is a finding; it is
 * started again so the run can still settle and be checked.
 */
async function restartDead(stack: Stack, ctx: ScenarioContext): Promise<void> {
  for (const service of stack.services.filter((s) => !s.proc.running())) {
    const exit = await service.proc.exited();
    ctx.check(`${service.name} keeps running`, false, `exited with ${exit.code ?? exit.signal}`);
    await service.restart();
  }
}

/**
 * After the script: waits for everything observed to settle (drain), stops the open-ended
 * schedules, and reads the final state. Occurrences still unfinished when the drain ends are
 * stuck: their status is kept, since the closing pause cancels them.
 */
async function settle(
  {
    stack,
    ledger,
    receiver,
    settings,
    log,
  }: { stack: Stack; ledger: Ledger; receiver: Receiver; settings: SuiteSettings; log: (m: string) => void },
  until: number,
): Promise<FinalEvent[]> {
  await sleep(until + 2000 - Date.now());
  log('draining');
  const drained = await drain(
    { api: stack.api, ledger, arrivals: receiver.log },
    {
      until,
      deadline: Math.max(Date.now(), until) + settings.drainMs,
      changeGraceMs: DEFAULT_CHECK_OPTIONS.changeGraceMs,
    },
  );
  const stuck = (await pendingEvents(stack.api, ledger, until, Date.now() + 60_000)) ?? [];
  const stopping = ledger.live().filter((s) => s.changes.at(-1)?.state?.status === 'active');
  const stopped = await inLanes(stopping, 5, (s) => ledger.stop(s.id));
  log(`drain: ${drained}; paused ${stopped.filter((a) => a.status === 200).length} of ${stopping.length} schedules`);
  // A system that cannot show its state within minutes fails the scenario (no verdict without it).
  return collectEvents(stack.api, ledger, receiver.log, { stuck, deadline: Date.now() + 180_000 });
}

/**
 * Runs one scenario end to end: a private stack, its script, the drain, the final state read
 * through the API, the checker, and the verdict against the scenario's goals.
 */
export async function runScenario(
  scenario: Scenario,
  settings: SuiteSettings,
  { runId, index }: { runId: string /** Its place in the list: which block of ports it takes. */; index: number },
): Promise<ScenarioResult> {
  const started = Date.now();
  const log = progress(scenario.name, started);
  const dir = join(settings.workDir, runId, scenario.name);
  mkdirSync(dir, { recursive: true });
  const receiver = await startReceiver();
  let stack: Stack | undefined;
  const result: ScenarioResult = {
    name: scenario.name,
    fault: scenario.fault,
    defect: scenario.defect ?? null,
    goalMs: scenario.goal?.recoveryMs ?? null,
    passed: false,
    failures: [],
    report: null,
    checks: [],
    notes: [],
    faults: [],
    durationMs: 0,
    dir,
  };
  let postgres: PostgresDatabase | undefined;
  try {
    const port = portBlock(index);
    postgres = await postgresFor(scenario, settings, dir, port);
    stack = await startStack(settings, scenario.stack ?? {}, { dir, postgresUrl: postgres?.url, port });
    log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stack.services.map((s) => s.name).join(', ')}`);
    await fetchSecrets(stack, receiver.setSecret);
    const ledger = new Ledger(stack.api);
    const ctx = createContext({ settings, stack, ledger, receiver, log });
    await scenario.run(ctx);
    await restartDead(stack, ctx);
    const record = ctx.record();
    Object.assign(result, { checks: record.checks, notes: record.notes, faults: record.faults });
    const events = await settle({ stack, ledger, receiver, settings, log }, record.observedUntil);
    for (const u of ledger.unanswered) ctx.note(`no answer, yet done: ${u}`);
    result.report = check({
      schedules: ledger.all(),
      arrivals: receiver.log,
      events,
      faults: record.faults,
      observedUntil: record.observedUntil,
      options: { lateAfterMs: settings.lateAfterMs },
    });
    result.failures = verdict(scenario, result.report, {
      checks: record.checks,
      onTime: record.onTime,
      lateAfterMs: settings.lateAfterMs,
    });
  } catch (error) {
    result.failures = [
      `the scenario crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ];
  } finally {
    await stack?.stop().catch(() => undefined);
    await postgres?.stop();
    await receiver.close();
  }
  result.passed = result.failures.length === 0;
  result.durationMs = Date.now() - started;
  if (result.passed && !settings.keep) {
    // The scenario's own PostgreSQL data may lie outside it (see startPostgres).
    for (const path of [dir, postgres?.dataDir]) if (path) rmSync(path, { recursive: true, force: true });
    result.dir = null;
  }
  log(
    `${result.passed ? 'PASS' : 'FAIL'} in ${(result.durationMs / 1000).toFixed(0)} s${result.dir ? ` (kept ${result.dir})` : ''}`,
  );
  return result;
}
