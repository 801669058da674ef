import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The python-dateutil oracle as provisioned by scripts/test.sh (`provision_test_tools` in
 * scripts/toolchain.sh): it writes `.tools/oracle/env` with the interpreter, a private
 * PYTHONPATH (Debian's python3-dateutil unpacked there when the system has none) and a private
 * zoneinfo of the tzdata release Node's ICU uses. Nothing outside `.tools/` is changed.
 * ORACLE_PYTHON / ORACLE_PYTHONPATH / ORACLE_TZPATH in the environment override the file.
 */

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const ORACLE_ENV_FILE = join(repoRoot, '.tools', 'oracle', 'env');

export interface OracleInfo {
  readonly available: true;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dateutil: string;
  /** tzdata release the oracle reads (`+VERSION` or `tzdata.zi` in its zoneinfo), e.g. `2026c`. */
  readonly tzdata: string;
  readonly tzpath: string;
}
export type Oracle = OracleInfo | { readonly available: false; readonly reason: string };

function readEnvFile(): Record<string, string> {
  if (!existsSync(ORACLE_ENV_FILE)) return {};
  const pairs = readFileSync(ORACLE_ENV_FILE, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string]);
  return Object.fromEntries(pairs);
}

const PROBE = `
import json, os, zoneinfo, dateutil, dateutil.rrule
def version(d):
    for name in ("+VERSION", "tzdata.zi"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            first = open(p).readline().strip()
            return first.replace("# version ", "") if name == "tzdata.zi" else first
for d in zoneinfo.TZPATH:
    if os.path.isdir(d):
        print(json.dumps({"dateutil": dateutil.__version__, "tzdata": version(d) or "unknown", "tzpath": d}))
        break
else:
    print(json.dumps({"dateutil": dateutil.__version__, "tzdata": "unknown", "tzpath": ""}))
`;

/** Finds the oracle; `available: false` carries a one-line reason. */
export function findOracle(): Oracle {
  const file = readEnvFile();
  const pick = (key: string) => process.env[key] || file[key] || undefined;
  const pythonPath = pick('ORACLE_PYTHONPATH');
  const tzPath = pick('ORACLE_TZPATH');
  const env = {
    ...process.env,
    ...(pythonPath ? { PYTHONPATH: pythonPath } : {}),
    ...(tzPath ? { PYTHONTZPATH: tzPath } : {}),
  };
  // An explicit ORACLE_PYTHON is the only candidate (so "no oracle" can be tried on purpose).
  const explicit = process.env.ORACLE_PYTHON;
  const candidates = explicit
    ? [explicit]
    : [file.ORACLE_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const python of [...new Set(candidates)]) {
    const probe = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', env });
    if (probe.status !== 0) continue;
    const info = JSON.parse(probe.stdout) as { dateutil: string; tzdata: string; tzpath: string };
    return { available: true, python, env, ...info };
  }
  const hint = existsSync(ORACLE_ENV_FILE) ? '' : '; scripts/test.sh provisions it (see README, "The two commands")';
  return {
    available: false,
    reason: `no Python with python-dateutil and zoneinfo (tried ${[...new Set(candidates)].join(', ')})${hint}`,
  };
}

export type OracleResult = Record<string, Record<string, string[] | { error: string }>>;

const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'oracle.py');

/** Runs a whole corpus file through one Python process. */
export function runOracle(oracle: OracleInfo, corpusPath: string): OracleResult {
  const out = execFileSync(oracle.python, [script, corpusPath], {
    encoding: 'utf8',
    env: oracle.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as OracleResult;
}

/** UTC offsets (seconds) the oracle's tzdata gives for each zone at each instant (epoch seconds). */
export function oracleOffsets(oracle: OracleInfo, probe: Record<string, number[]>): Record<string, number[]> {
  const out = execFileSync(oracle.python, [script, '--offsets'], {
    encoding: 'utf8',
    env: oracle.env,
    input: JSON.stringify(probe),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as Record<string, number[]>;
}
