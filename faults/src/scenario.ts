import { randomBytes } from 'node:crypto';
import type { Api } from './api/client.js';
import type { Ledger } from './api/ledger.js';
import type { FaultWindow, Intent } from './checker/index.js';
import type { Receiver } from './receiver/receiver.js';
import type { Durations, SuiteSettings } from './settings.js';
import { sleep } from './stack/process.js';
import type { Stack, StackOptions } from './stack/stack.js';

/** A recovery goal of the issue, encoded as a pass criterion. */
export interface Goal {
  /** Every fault window must be caught up within this long after it ends. */
  recoveryMs: number;
  /** The goal in words, for the report. */
  what: string;
}

export interface Scenario {
  /** Kebab-case id: `--only <name>`. */
  name: string;
  /** The table's "fault" column. */
  fault: string;
  /** What passing proves, for docs/reliability.md. */
  proves: string;
  /** The issue-15 defect it reproduces, if any. */
  defect?: number;
  goal?: Goal;
  stack?: StackOptions;
  /** Roughly how long it runs, in seconds: the longest start first so parallel lanes end together. */
  estimateS?: (d: Durations) => number;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface LoadOptions {
  tenant?: string;
  /** The receiver lane (path segment) its callbacks go to; default `main`. */
  lane?: string;
  /** Schedules; default the suite's FAULTS_SCHEDULES. */
  count?: number;
  /** Seconds between occurrences of schedule `i`; default 1 for even i, 2 for odd. */
  everyS?: (i: number) => number;
  /**
   * How long the run observes it, in seconds from its first occurrence; default FAULTS_RUN_S.
   * The rule itself is open-ended (a bounded one whose last occurrence falls inside the planning
   * window reads `completed` at once and cannot be paused); the runner pauses every schedule
   * once the observation ends.
   */
  runS?: number;
  /** Bound the rule to this many occurrences instead (COUNT). */
  occurrences?: number;
  /** First occurrence this many seconds from now (whole seconds); default 8. */
  startInS?: number;
  intent?: Intent;
  /** Fields on top of the suite's schedule body (retry_policy, timeout_ms, headers...). */
  extra?: Record<string, unknown>;
  /** A refused create is an answer to report, not a broken set-up (default: it throws). */
  allowRefusal?: boolean;
}

export interface Load {
  /** The acknowledged schedules. */
  ids: string[];
  /** Every create's answer status, in order. */
  statuses: number[];
  firstDue: number;
  lastDue: number;
}

/** A scenario-specific pass criterion. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioContext {
  settings: SuiteSettings;
  stack: Stack;
  api: Api;
  ledger: Ledger;
  receiver: Receiver;
  /** A progress line on stderr. */
  log(message: string): void;
  /** Creates schedules through the API that fire every second or two, all acknowledged in the ledger. */
  load(options?: LoadOptions): Promise<Load>;
  /** Runs `inject` as a fault window: it opens now and closes when `inject` resolves. */
  fault<T>(name: string, inject: () => Promise<T>): Promise<T>;
  /** Records a fault window measured by the scenario itself. */
  window(window: FaultWindow): void;
  /** Sleeps until epoch ms `t`. */
  until(t: number): Promise<void>;
  check(name: string, ok: boolean, detail: string): void;
  note(text: string): void;
  /** Occurrences due after `t` are not judged (default: the last due instant of every load). */
  observeUntil(t: number): void;
  /** Pass criterion: no first delivery (of `tenant`, or of anyone) later than the suite's bound. */
  requireOnTime(tenant?: string): void;
}

/** What the runner keeps from a context once the scenario's script has run. */
export interface ScenarioRecord {
  faults: FaultWindow[];
  checks: Check[];
  notes: string[];
  observedUntil: number;
  /** Tenants whose deliveries must all be on time (`*`: everyone's). */
  onTime: string[];
}

/** A DTSTART value (UTC, whole seconds) for epoch ms `t`. */
export const dtstart = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Runs `fn` over `items`, at most `width` at a time. */
export async function inLanes<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

export function createContext(
  base: Pick<ScenarioContext, 'settings' | 'stack' | 'ledger' | 'receiver' | 'log'>,
): ScenarioContext & { record(): ScenarioRecord } {
  const faults: FaultWindow[] = [];
  const checks: Check[] = [];
  const notes: string[] = [];
  const onTime: string[] = [];
  let observedUntil: number | undefined;
  let lastDue = 0;
  const ctx: ScenarioContext & { record(): ScenarioRecord } = {
    ...base,
    api: base.stack.api,
    async load(options = {}) {
      const tenant = options.tenant ?? 'a';
      const lane = options.lane ?? 'main';
      const count = options.count ?? base.settings.schedules;
      const runS = options.runS ?? base.settings.durations.runS;
      const start = Math.ceil(Date.now() / 1000) * 1000 + (options.startInS ?? 8) * 1000;
      const every = options.everyS ?? ((i: number) => (i % 2 === 0 ? 1 : 2));
      // Unique names: a create that got no answer is found again by its name.
      const suffix = randomBytes(4).toString('hex');
      const answers = await inLanes(
        Array.from({ length: count }, (_, i) => i),
        5,
        (i) => {
          const everyS = every(i);
          return base.ledger.create(
            tenant,
            {
              name: `faults ${lane} ${i} ${suffix}`,
              rrule: `DTSTART:${dtstart(start)}\nRRULE:FREQ=SECONDLY;INTERVAL=${everyS}${options.occurrences ? `;COUNT=${options.occurrences}` : ''}`,
              callback_url: base.receiver.url(tenant, lane),
              misfire_policy: 'fire_all',
              misfire_grace_seconds: 3600,
              retry_policy: { max_attempts: 30, min_backoff_ms: 500, max_backoff_ms: 5000 },
              timeout_ms: 5000,
              ...options.extra,
            },
            options.intent ?? 'deliver',
          );
        },
      );
      const failed = answers.filter((a) => a.status !== 201);
      if (failed.length > 0 && !options.allowRefusal)
        throw new Error(`creating the load: ${failed.length} creates failed, e.g. ${JSON.stringify(failed[0])}`);
      const loadLastDue = start + (runS - 1) * 1000;
      lastDue = Math.max(lastDue, loadLastDue);
      ctx.log(
        `${count} schedules of tenant ${tenant} on lane ${lane}, due from +${Math.round((start - Date.now()) / 1000)} s, observed for ${runS} s`,
      );
      return {
        ids: answers.filter((a) => a.status === 201).map((a) => a.body.id),
        statuses: answers.map((a) => a.status),
        firstDue: start,
        lastDue: loadLastDue,
      };
    },
    async fault(name, inject) {
      const start = Date.now();
      ctx.log(`fault: ${name}`);
      const result = await inject();
      const end = Date.now();
      faults.push({ name, start, end });
      ctx.log(`fault over: ${name} (${((end - start) / 1000).toFixed(1)} s)`);
      return result;
    },
    window(window) {
      faults.push(window);
    },
    until: (t) => sleep(t - Date.now()),
    check(name, ok, detail) {
      checks.push({ name, ok, detail });
      ctx.log(`check ${ok ? 'ok' : 'FAILED'}: ${name}: ${detail}`);
    },
    note(text) {
      notes.push(text);
    },
    observeUntil(t) {
      observedUntil = t;
    },
    requireOnTime(tenant = '*') {
      onTime.push(tenant);
    },
    record: () => ({ faults, checks, notes, onTime, observedUntil: observedUntil ?? lastDue }),
  };
  return ctx;
}
