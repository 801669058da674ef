import { join } from 'node:path';
import { REPO_ROOT } from '@event-scheduler/testing';
import { postgresBinaries } from './stack/postgres.js';

/** Fault durations, in seconds (each from its own FAULTS_* variable; the values by default). */
export interface Durations {
  /** How long each load of schedules keeps firing (FAULTS_RUN_S). */
  runS: number;
  prequeuerDownS: number;
  redisDownS: number;
  databaseDownS: number;
  receiverFailS: number;
  receiverHangS: number;
  neighbourFailS: number;
}

export interface SuiteSettings {
  /** Where `apps/<role>/dist/main.js` are (FAULTS_APPS_ROOT; default this repository). */
  appsRoot: string;
  /** The FerretDB binary (FAULTS_FERRETDB; default .tools/bin/ferretdb). */
  ferretdb: string;
  /** Each run's scenario directories: data, service logs, results (FAULTS_WORK_DIR; default .local/faults). */
  workDir: string;
  /**
   * FerretDB's backend (FAULTS_DATABASE): `postgresql` (default where PostgreSQL's server is
   * installed: a private server for the run, a database per scenario) or `sqlite` (one writer:
   * slower under load, but needs nothing).
   */
  database: 'postgresql' | 'sqlite';
  /** PostgreSQL's binaries (FAULTS_PG_BIN; default the newest /usr/lib/postgresql/<v>/bin). */
  postgresBin: string | null;
  /** Keep a passing scenario's directory too (FAULTS_KEEP=1); a failing one's is always kept. */
  keep: boolean;
  /** Extra environment for every service, `K=V,K=V` (FAULTS_SERVICE_ENV): wins over the suite's own. */
  serviceEnv: Record<string, string>;
  /** Schedules per load (FAULTS_SCHEDULES; default 8, half firing every second, half every 2 s). */
  schedules: number;
  /** A first delivery later than this after its due instant is late (FAULTS_LATE_AFTER_MS; default 3000). */
  lateAfterMs: number;
  /** After the last occurrence is due, wait at most this long for everything to finish (FAULTS_DRAIN_S; 60). */
  drainMs: number;
  /** Scenarios run at once (FAULTS_JOBS; default 3), each with its own Redis, FerretDB and services. */
  jobs: number;
  durations: Durations;
}

export class SettingsError extends Error {}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new SettingsError(`${name}=${JSON.stringify(raw)}: expected a number from ${min} to ${max}`);
  return value;
}

function pairs(env: NodeJS.ProcessEnv, name: string): Record<string, string> {
  const raw = env[name]?.trim();
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Z][A-Z0-9_]*$/.test(key))
      throw new SettingsError(`${name}: "${pair}" is not KEY=VALUE with an upper-case variable name`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** The suite's settings from the environment; a bad value throws a SettingsError naming it. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): SuiteSettings {
  const seconds = (name: string, fallback: number) => number(env, name, fallback, 1, 3600);
  const postgresBin = postgresBinaries(env);
  const database = env.FAULTS_DATABASE || (postgresBin ? 'postgresql' : 'sqlite');
  if (database !== 'postgresql' && database !== 'sqlite')
    throw new SettingsError(`FAULTS_DATABASE=${JSON.stringify(database)}: expected postgresql or sqlite`);
  if (database === 'postgresql' && !postgresBin)
    throw new SettingsError('FAULTS_DATABASE=postgresql: no PostgreSQL server found (set FAULTS_PG_BIN)');
  return {
    database,
    postgresBin,
    appsRoot: env.FAULTS_APPS_ROOT || REPO_ROOT,
    ferretdb: env.FAULTS_FERRETDB || join(REPO_ROOT, '.tools', 'bin', 'ferretdb'),
    workDir: env.FAULTS_WORK_DIR || join(REPO_ROOT, '.local', 'faults'),
    keep: env.FAULTS_KEEP === '1',
    serviceEnv: pairs(env, 'FAULTS_SERVICE_ENV'),
    schedules: number(env, 'FAULTS_SCHEDULES', 8, 2, 200),
    lateAfterMs: number(env, 'FAULTS_LATE_AFTER_MS', 3000, 100, 600_000),
    drainMs: seconds('FAULTS_DRAIN_S', 60) * 1000,
    jobs: number(env, 'FAULTS_JOBS', 3, 1, 16),
    durations: {
      runS: seconds('FAULTS_RUN_S', 40),
      prequeuerDownS: seconds('FAULTS_PREQUEUER_DOWN_S', 75),
      redisDownS: seconds('FAULTS_REDIS_DOWN_S', 20),
      databaseDownS: seconds('FAULTS_DATABASE_DOWN_S', 20),
      receiverFailS: seconds('FAULTS_RECEIVER_FAIL_S', 30),
      receiverHangS: seconds('FAULTS_RECEIVER_HANG_S', 20),
      neighbourFailS: seconds('FAULTS_NEIGHBOUR_FAIL_S', 120),
    },
  };
}
