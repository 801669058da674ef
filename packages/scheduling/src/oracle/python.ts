import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Finds a Python with python-dateutil and zoneinfo (Debian: `apt-get install -y python3-dateutil`
 * gives it to /usr/bin/python3). ORACLE_PYTHON overrides. Throws with instructions if none.
 */
export function findOraclePython(): string {
  const candidates = [process.env.ORACLE_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter(
    (c): c is string => typeof c === 'string' && c !== '',
  );
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import dateutil.rrule, zoneinfo; print(dateutil.__version__)'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return python;
  }
  throw new Error(
    `No Python with python-dateutil and zoneinfo found (tried ${candidates.join(', ')}). ` +
      'Install it with `apt-get update && apt-get install -y python3-dateutil` (Debian/Ubuntu), ' +
      'or point ORACLE_PYTHON at a python3 (>= 3.9) that has python-dateutil.',
  );
}

export type OracleResult = Record<string, Record<string, string[] | { error: string }>>;

/** Runs the whole corpus through one Python process. */
export function runOracle(python: string, script: string, corpusPath: string): OracleResult {
  const out = execFileSync(python, [script, corpusPath], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out) as OracleResult;
}
